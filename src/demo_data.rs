//! Demo employers and realistic UK automotive-technology jobs, loaded when
//! the jobs table is empty so a fresh portal has something to show.

use sea_orm::{
    ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::auth::password::LOCKED;
use crate::domain::PartnerStatus;
use crate::entities::{account, job};
use crate::time_fmt::now;

const EMPLOYERS: [(&str, &str, &str); 5] = [
    (
        "Midlands Mobility Systems",
        "talent@midlands-mobility.example",
        "Coventry",
    ),
    (
        "Voltaic Drivetrains",
        "careers@voltaic-drivetrains.example",
        "Milton Keynes",
    ),
    (
        "Northern Autonomy Lab",
        "jobs@northern-autonomy.example",
        "Sunderland",
    ),
    (
        "Silverstone Performance Electronics",
        "people@spe-motorsport.example",
        "Silverstone",
    ),
    (
        "Clyde Connected Vehicles",
        "hiring@clyde-cv.example",
        "Glasgow",
    ),
];

/// (title, employer index, location, work mode, employment type, min, max, summary)
type DemoJob = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
    i32,
    i32,
    &'static str,
);

const JOBS: [DemoJob; 30] = [
    (
        "Battery Management Systems Engineer",
        1,
        "Milton Keynes",
        "hybrid",
        "permanent",
        55000,
        70000,
        "Develop cell balancing and state-of-charge algorithms for 800 V EV battery packs, from Simulink models to production C on AUTOSAR.",
    ),
    (
        "ADAS Perception Engineer",
        2,
        "Sunderland",
        "hybrid",
        "permanent",
        60000,
        80000,
        "Build camera and radar fusion for lane keeping and automated emergency braking, validated against Euro NCAP scenarios.",
    ),
    (
        "Embedded Software Engineer (AUTOSAR Classic)",
        0,
        "Coventry",
        "onsite",
        "permanent",
        48000,
        62000,
        "Configure and integrate AUTOSAR Classic basic software for body control modules on Infineon AURIX microcontrollers.",
    ),
    (
        "Functional Safety Engineer (ISO 26262)",
        0,
        "Coventry",
        "hybrid",
        "permanent",
        58000,
        75000,
        "Lead hazard analysis, safety goals and technical safety concepts for powertrain ECUs up to ASIL D.",
    ),
    (
        "Motorsport Electronics Technician",
        3,
        "Silverstone",
        "onsite",
        "contract",
        40000,
        50000,
        "Build and maintain wiring looms, data loggers and telemetry for a single-seater racing programme, trackside at UK rounds.",
    ),
    (
        "Connected Vehicle Cloud Engineer",
        4,
        "Glasgow",
        "remote",
        "permanent",
        55000,
        72000,
        "Run the platform that ingests telematics from 200,000 vehicles: Rust and Kafka services, PostgreSQL, and over-the-air update campaigns.",
    ),
    (
        "EV Charging Software Developer",
        1,
        "Milton Keynes",
        "remote",
        "permanent",
        50000,
        65000,
        "Implement OCPP 2.0.1 and ISO 15118 plug-and-charge for home and destination chargers.",
    ),
    (
        "Vehicle Cybersecurity Analyst (UNECE R155)",
        4,
        "Glasgow",
        "hybrid",
        "permanent",
        52000,
        68000,
        "Run TARA workshops, penetration tests on gateways and infotainment units, and evidence for R155 type approval.",
    ),
    (
        "Powertrain Calibration Engineer",
        1,
        "Milton Keynes",
        "onsite",
        "permanent",
        45000,
        58000,
        "Calibrate inverter and e-motor control for efficiency and NVH on dynamometers and test tracks.",
    ),
    (
        "Autonomous Vehicle Test Operator",
        2,
        "Sunderland",
        "onsite",
        "temporary",
        28000,
        32000,
        "Supervise autonomous shuttles on public roads, log disengagements and feed back to the software team.",
    ),
    (
        "Graduate Electrical Engineer",
        0,
        "Coventry",
        "onsite",
        "permanent",
        32000,
        36000,
        "Join a two-year rotation across high-voltage systems, EMC testing and harness design.",
    ),
    (
        "Automotive Technician Apprentice (EV)",
        3,
        "Silverstone",
        "onsite",
        "apprenticeship",
        18000,
        22000,
        "A Level 3 apprenticeship in electric and hybrid vehicle maintenance, with IMI EV qualifications.",
    ),
    (
        "Simulation Engineer (CARLA / Scenario Runner)",
        2,
        "Remote, UK",
        "remote",
        "contract",
        65000,
        85000,
        "Create OpenSCENARIO test suites and a CI pipeline that runs thousands of virtual miles per night.",
    ),
    (
        "Infotainment Android Developer",
        4,
        "Glasgow",
        "hybrid",
        "permanent",
        50000,
        66000,
        "Build Android Automotive OS apps for navigation and media with Jetpack Compose and vehicle HAL integration.",
    ),
    (
        "Thermal Systems Engineer",
        1,
        "Milton Keynes",
        "hybrid",
        "permanent",
        50000,
        64000,
        "Model and test battery and cabin thermal management, heat pumps included, in GT-SUITE and on rigs.",
    ),
    (
        "Hardware-in-the-Loop Test Engineer",
        0,
        "Coventry",
        "onsite",
        "contract",
        55000,
        70000,
        "Build dSPACE HIL rigs and automated test cases for chassis and powertrain controllers.",
    ),
    (
        "Data Engineer, Fleet Telematics",
        4,
        "Remote, UK",
        "remote",
        "permanent",
        55000,
        70000,
        "Turn CAN and GPS streams into reliable datasets for predictive maintenance and insurance partners.",
    ),
    (
        "Lidar Hardware Engineer",
        2,
        "Sunderland",
        "onsite",
        "permanent",
        58000,
        76000,
        "Integrate and characterise solid-state lidar units, from optics alignment to calibration at end of line.",
    ),
    (
        "Race Strategy Software Engineer",
        3,
        "Silverstone",
        "hybrid",
        "permanent",
        60000,
        78000,
        "Write the tyre-degradation and pit-stop models our strategists trust on race weekends.",
    ),
    (
        "Electrical Architecture Engineer",
        0,
        "Coventry",
        "hybrid",
        "permanent",
        62000,
        80000,
        "Define zonal E/E architecture, power distribution and network topology for the next vehicle platform.",
    ),
    (
        "Embedded Rust Engineer (Motor Control)",
        1,
        "Remote, UK",
        "remote",
        "permanent",
        65000,
        85000,
        "Write safe, fast field-oriented control firmware in Rust on STM32 for e-axle inverters.",
    ),
    (
        "Homologation Engineer",
        0,
        "Coventry",
        "onsite",
        "permanent",
        45000,
        58000,
        "Prepare type-approval evidence for UK and EU markets and work with VCA witness testing.",
    ),
    (
        "Machine Learning Engineer, Driver Monitoring",
        2,
        "Sunderland",
        "hybrid",
        "permanent",
        65000,
        90000,
        "Train and deploy in-cabin models for driver distraction and drowsiness detection to meet GSR requirements.",
    ),
    (
        "OTA Update Platform Engineer",
        4,
        "Glasgow",
        "remote",
        "permanent",
        60000,
        78000,
        "Own the secure over-the-air pipeline: signing, delta updates and staged roll-outs with automatic rollback.",
    ),
    (
        "High Voltage Technician",
        1,
        "Milton Keynes",
        "onsite",
        "permanent",
        35000,
        42000,
        "Assemble and test HV battery modules safely, with IMI Level 4 training provided.",
    ),
    (
        "Telemetry Software Contractor",
        3,
        "Silverstone",
        "onsite",
        "contract",
        70000,
        90000,
        "A six-month contract to rebuild live telemetry visualisation for the pit wall.",
    ),
    (
        "Technical Project Manager, Autonomy",
        2,
        "Sunderland",
        "hybrid",
        "permanent",
        60000,
        75000,
        "Run the delivery plan for a CCAV-funded autonomous logistics trial with three consortium partners.",
    ),
    (
        "Vehicle Dynamics Engineer",
        3,
        "Silverstone",
        "onsite",
        "permanent",
        55000,
        70000,
        "Develop suspension and tyre models and correlate them with track data for chassis set-up.",
    ),
    (
        "Diagnostics Software Engineer (UDS / DoIP)",
        0,
        "Coventry",
        "hybrid",
        "permanent",
        50000,
        64000,
        "Implement UDS services and DoIP diagnostics for workshop tools and end-of-line testing.",
    ),
    (
        "Summer Intern, EV Software",
        1,
        "Milton Keynes",
        "onsite",
        "temporary",
        22000,
        24000,
        "Twelve weeks on the BMS software team shipping real code, with a mentor and a final demo.",
    ),
];

pub async fn load_if_empty(db: &DatabaseConnection) -> anyhow::Result<()> {
    if job::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    // Demo employers cannot sign in.
    let password_hash = LOCKED.to_owned();
    let txn = db.begin().await?;
    let base = now();
    let mut employer_ids = Vec::new();
    for (company, email, _) in EMPLOYERS {
        let existing = account::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(&account::Column::Email, email))
            .one(&txn)
            .await?;
        let id = match existing {
            Some(a) => a.id,
            None => {
                account::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    email: Set(email.to_owned()),
                    display_name: Set(format!("{company} recruitment")),
                    password_hash: Set(password_hash.clone()),
                    account_type: Set("employer".into()),
                    company_name: Set(Some(company.to_owned())),
                    partner_status: Set(PartnerStatus::None.as_str().into()),
                    partner_note: Set(None),
                    created_at: Set(base),
                    updated_at: Set(base),
                }
                .insert(&txn)
                .await?
                .id
            }
        };
        employer_ids.push(id);
    }
    for (i, (title, employer, location, mode, kind, min, max, summary)) in
        JOBS.into_iter().enumerate()
    {
        let posted = base - time::Duration::hours(7 * (JOBS.len() - i) as i64);
        let company = EMPLOYERS[employer].0;
        job::ActiveModel {
            id: Set(Uuid::now_v7()),
            employer_id: Set(employer_ids[employer]),
            title: Set(title.to_owned()),
            company: Set(company.to_owned()),
            location: Set(location.to_owned()),
            work_mode: Set(mode.to_owned()),
            employment_type: Set(kind.to_owned()),
            salary_min: Set(Some(min)),
            salary_max: Set(Some(max)),
            description: Set(format!(
                "{summary}\n\nAt {company} you will work with engineers who ship vehicles and software used every day across the UK. We offer flexible hours, a learning budget and a pension with 8% employer contribution."
            )),
            status: Set("open".into()),
            created_at: Set(posted),
            updated_at: Set(posted),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(jobs = JOBS.len(), "loaded demo jobs");
    Ok(())
}
