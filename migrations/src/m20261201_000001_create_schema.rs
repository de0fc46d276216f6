//! The whole v1 schema. Ids are UUID v7; times are UTC with microsecond precision.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    DisplayName,
    PasswordHash,
    AccountType,
    CompanyName,
    PartnerStatus,
    PartnerNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    KeyHash,
    AccountId,
    State,
    Ip,
    UserAgent,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    AccountId,
    KeyHash,
    Hint,
    Description,
    Permission,
    Environment,
    CreationNonce,
    RolledFrom,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    RevokedReason,
    LastUsedAt,
    LastUsedIp,
    UseCount,
}

#[derive(DeriveIden)]
enum ApiKeyUsage {
    Table,
    KeyId,
    Day,
    Requests,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    AccountId,
    Event,
    Detail,
    Ip,
    UserAgent,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    EmailHash,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    EmployerId,
    Title,
    Company,
    Location,
    WorkMode,
    EmploymentType,
    SalaryMin,
    SalaryMax,
    Description,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    JobId,
    CandidateId,
    CoverLetter,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PartnerRequests {
    Table,
    Id,
    AccountId,
    Company,
    Website,
    UseCase,
    Status,
    ReviewerId,
    ReviewerNote,
    CreatedAt,
    DecidedAt,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .take()
}

fn index(table: impl IntoIden, name: &str, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut stmt = Index::create().name(name).table(table).take();
    for col in cols {
        stmt.col(col);
    }
    stmt
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(pk_uuid(Accounts::Id))
                .col(string_uniq(Accounts::Email))
                .col(string(Accounts::DisplayName))
                .col(string(Accounts::PasswordHash))
                .col(string(Accounts::AccountType))
                .col(string_null(Accounts::CompanyName))
                .col(string(Accounts::PartnerStatus))
                .col(text_null(Accounts::PartnerNote))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string(Sessions::KeyHash).primary_key())
                .col(uuid_null(Sessions::AccountId))
                .col(text(Sessions::State))
                .col(string_null(Sessions::Ip))
                .col(string_null(Sessions::UserAgent))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(&mut fk(
                    Sessions::Table,
                    Sessions::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            Sessions::Table,
            "idx_sessions_account",
            vec![Sessions::AccountId.into_iden()],
        ))
        .await?;
        m.create_index(index(
            Sessions::Table,
            "idx_sessions_expires",
            vec![Sessions::ExpiresAt.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(pk_uuid(ApiKeys::Id))
                .col(uuid(ApiKeys::AccountId))
                .col(string_uniq(ApiKeys::KeyHash))
                .col(string(ApiKeys::Hint))
                .col(string(ApiKeys::Description))
                .col(string(ApiKeys::Permission))
                .col(string(ApiKeys::Environment))
                .col(string(ApiKeys::CreationNonce))
                .col(uuid_null(ApiKeys::RolledFrom))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .col(string_null(ApiKeys::RevokedReason))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(string_null(ApiKeys::LastUsedIp))
                .col(big_integer(ApiKeys::UseCount).default(0))
                .foreign_key(&mut fk(
                    ApiKeys::Table,
                    ApiKeys::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            ApiKeys::Table,
            "idx_api_keys_account",
            vec![ApiKeys::AccountId.into_iden()],
        ))
        .await?;
        // A resubmitted generate or roll form carries the same nonce: the
        // database refuses the second key, whatever the timing.
        m.create_index(
            index(
                ApiKeys::Table,
                "uq_api_keys_creation_nonce",
                vec![
                    ApiKeys::AccountId.into_iden(),
                    ApiKeys::CreationNonce.into_iden(),
                ],
            )
            .unique()
            .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiKeyUsage::Table)
                .col(uuid(ApiKeyUsage::KeyId))
                .col(string(ApiKeyUsage::Day))
                .col(big_integer(ApiKeyUsage::Requests))
                .primary_key(
                    Index::create()
                        .col(ApiKeyUsage::KeyId)
                        .col(ApiKeyUsage::Day),
                )
                .foreign_key(&mut fk(
                    ApiKeyUsage::Table,
                    ApiKeyUsage::KeyId,
                    ApiKeys::Table,
                    ApiKeys::Id,
                ))
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_uuid(AuditEvents::Id))
                .col(uuid(AuditEvents::AccountId))
                .col(string(AuditEvents::Event))
                .col(text(AuditEvents::Detail))
                .col(string_null(AuditEvents::Ip))
                .col(string_null(AuditEvents::UserAgent))
                .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                .foreign_key(&mut fk(
                    AuditEvents::Table,
                    AuditEvents::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            AuditEvents::Table,
            "idx_audit_account_time",
            vec![
                AuditEvents::AccountId.into_iden(),
                AuditEvents::CreatedAt.into_iden(),
            ],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(SignInFailures::Table)
                .col(pk_uuid(SignInFailures::Id))
                .col(string(SignInFailures::EmailHash))
                .col(string(SignInFailures::Ip))
                .col(timestamp_with_time_zone(SignInFailures::CreatedAt))
                .take(),
        )
        .await?;
        m.create_index(index(
            SignInFailures::Table,
            "idx_sign_in_failures_email",
            vec![
                SignInFailures::EmailHash.into_iden(),
                SignInFailures::CreatedAt.into_iden(),
            ],
        ))
        .await?;
        m.create_index(index(
            SignInFailures::Table,
            "idx_sign_in_failures_ip",
            vec![
                SignInFailures::Ip.into_iden(),
                SignInFailures::CreatedAt.into_iden(),
            ],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(pk_uuid(Jobs::Id))
                .col(uuid(Jobs::EmployerId))
                .col(string(Jobs::Title))
                .col(string(Jobs::Company))
                .col(string(Jobs::Location))
                .col(string(Jobs::WorkMode))
                .col(string(Jobs::EmploymentType))
                .col(integer_null(Jobs::SalaryMin))
                .col(integer_null(Jobs::SalaryMax))
                .col(text(Jobs::Description))
                .col(string(Jobs::Status))
                .col(timestamp_with_time_zone(Jobs::CreatedAt))
                .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                .foreign_key(&mut fk(
                    Jobs::Table,
                    Jobs::EmployerId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            Jobs::Table,
            "idx_jobs_status_created",
            vec![Jobs::Status.into_iden(), Jobs::CreatedAt.into_iden()],
        ))
        .await?;
        m.create_index(index(
            Jobs::Table,
            "idx_jobs_updated",
            vec![Jobs::UpdatedAt.into_iden(), Jobs::Id.into_iden()],
        ))
        .await?;
        m.create_index(index(
            Jobs::Table,
            "idx_jobs_employer",
            vec![Jobs::EmployerId.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(pk_uuid(Applications::Id))
                .col(uuid(Applications::JobId))
                .col(uuid(Applications::CandidateId))
                .col(text(Applications::CoverLetter))
                .col(string(Applications::Status))
                .col(timestamp_with_time_zone(Applications::CreatedAt))
                .col(timestamp_with_time_zone(Applications::UpdatedAt))
                .foreign_key(&mut fk(
                    Applications::Table,
                    Applications::JobId,
                    Jobs::Table,
                    Jobs::Id,
                ))
                .foreign_key(&mut fk(
                    Applications::Table,
                    Applications::CandidateId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(
            index(
                Applications::Table,
                "uq_applications_job_candidate",
                vec![
                    Applications::JobId.into_iden(),
                    Applications::CandidateId.into_iden(),
                ],
            )
            .unique()
            .take(),
        )
        .await?;
        m.create_index(index(
            Applications::Table,
            "idx_applications_candidate",
            vec![Applications::CandidateId.into_iden()],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PartnerRequests::Table)
                .col(pk_uuid(PartnerRequests::Id))
                .col(uuid(PartnerRequests::AccountId))
                .col(string(PartnerRequests::Company))
                .col(string(PartnerRequests::Website))
                .col(text(PartnerRequests::UseCase))
                .col(string(PartnerRequests::Status))
                .col(uuid_null(PartnerRequests::ReviewerId))
                .col(text_null(PartnerRequests::ReviewerNote))
                .col(timestamp_with_time_zone(PartnerRequests::CreatedAt))
                .col(timestamp_with_time_zone_null(PartnerRequests::DecidedAt))
                .foreign_key(&mut fk(
                    PartnerRequests::Table,
                    PartnerRequests::AccountId,
                    Accounts::Table,
                    Accounts::Id,
                ))
                .take(),
        )
        .await?;
        m.create_index(index(
            PartnerRequests::Table,
            "idx_partner_requests_status",
            vec![
                PartnerRequests::Status.into_iden(),
                PartnerRequests::CreatedAt.into_iden(),
            ],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PartnerRequests::Table.into_iden(),
            Applications::Table.into_iden(),
            Jobs::Table.into_iden(),
            SignInFailures::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            ApiKeyUsage::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Sessions::Table.into_iden(),
            Accounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).take()).await?;
        }
        Ok(())
    }
}
