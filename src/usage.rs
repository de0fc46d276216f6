//! Key usage — last used time and IP, use count, requests per day —
//! gathered in memory and written in one batch about once a second, never
//! one write per API request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entities::{api_key, api_key_usage};
use crate::services::audit::{self, AuditEvent, RequestMeta};
use crate::time_fmt::now;

/// What one key did since the last flush. Plain values only: recording a
/// request allocates nothing once the key has an entry.
#[derive(Debug, Clone)]
struct Pending {
    count: i64,
    last_used_at: OffsetDateTime,
    last_ip: Option<IpAddr>,
    per_day: HashMap<time::Date, i64>,
}

#[derive(Clone, Default)]
pub struct UsageRecorder {
    pending: Arc<Mutex<HashMap<Uuid, Pending>>>,
}

pub fn day_key(t: OffsetDateTime) -> String {
    date_key(t.date())
}

fn date_key(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl UsageRecorder {
    pub fn record(&self, key_id: Uuid, ip: Option<IpAddr>) {
        let at = now();
        let day = at.date();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let entry = pending.entry(key_id).or_insert_with(|| Pending {
            count: 0,
            last_used_at: at,
            last_ip: None,
            per_day: HashMap::new(),
        });
        entry.count += 1;
        entry.last_used_at = at;
        if ip.is_some() {
            entry.last_ip = ip;
        }
        *entry.per_day.entry(day).or_default() += 1;
    }

    /// Writes what has been gathered. On failure the batch is merged back so
    /// nothing is lost; it goes out with the next flush.
    pub async fn flush(&self, db: &DatabaseConnection) -> anyhow::Result<usize> {
        let batch: HashMap<Uuid, Pending> = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut *pending)
        };
        if batch.is_empty() {
            return Ok(0);
        }
        let written = batch.len();
        if let Err(err) = write_batch(db, &batch).await {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            for (key, old) in batch {
                match pending.get_mut(&key) {
                    Some(newer) => {
                        newer.count += old.count;
                        for (day, n) in old.per_day {
                            *newer.per_day.entry(day).or_default() += n;
                        }
                    }
                    None => {
                        pending.insert(key, old);
                    }
                }
            }
            return Err(err);
        }
        Ok(written)
    }

    /// Flushes every `period` until the process ends.
    pub fn spawn_flusher(&self, db: DatabaseConnection, period: Duration) {
        let recorder = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(err) = recorder.flush(&db).await {
                    tracing::warn!(error = %err, "writing key usage failed; will retry");
                }
            }
        });
    }
}

async fn write_batch(
    db: &DatabaseConnection,
    batch: &HashMap<Uuid, Pending>,
) -> anyhow::Result<()> {
    let ids: Vec<Uuid> = batch.keys().copied().collect();
    // Previous IPs, to notice a key's first use from a new address.
    let previous: HashMap<Uuid, (Uuid, Option<String>)> = api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .column(api_key::Column::AccountId)
        .column(api_key::Column::LastUsedIp)
        .filter(api_key::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, Uuid, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, account, ip)| (id, (account, ip)))
        .collect();

    let txn = db.begin().await?;
    for (key_id, usage) in batch {
        let Some((account_id, previous_ip)) = previous.get(key_id) else {
            continue; // deleted meanwhile
        };
        let mut update = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(usage.last_used_at))
            .col_expr(
                api_key::Column::UseCount,
                Expr::col(api_key::Column::UseCount).add(usage.count),
            )
            .filter(api_key::Column::Id.eq(*key_id));
        let last_ip = usage.last_ip.map(|ip| ip.to_string());
        if let Some(ip) = &last_ip {
            update = update.col_expr(api_key::Column::LastUsedIp, Expr::value(ip.clone()));
        }
        update.exec(&txn).await?;
        for (day, n) in &usage.per_day {
            api_key_usage::Entity::insert(api_key_usage::ActiveModel {
                key_id: Set(*key_id),
                day: Set(date_key(*day)),
                requests: Set(*n),
            })
            .on_conflict(
                OnConflict::columns([api_key_usage::Column::KeyId, api_key_usage::Column::Day])
                    .value(
                        api_key_usage::Column::Requests,
                        Expr::col((api_key_usage::Entity, api_key_usage::Column::Requests)).add(*n),
                    )
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
        }
        if let Some(ip) = &last_ip
            && previous_ip.as_deref() != Some(ip.as_str())
        {
            audit::record_with(
                &txn,
                *account_id,
                AuditEvent::KeyUsedFromNewIp,
                format!("key {key_id} used from {ip}"),
                &RequestMeta {
                    ip: Some(ip.clone()),
                    user_agent: None,
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
