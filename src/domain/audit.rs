//! The audit trail: every change staff make, written in the change's own transaction with who
//! made it, what it was about, and the record before and after. Staff browse it by actor,
//! action, subject and time.
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;

use crate::db::{prepared, DbError};
use crate::domain::shared::{AccountId, Page, PageRequest};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ProductCreated,
    ProductUpdated,
    BranchCreated,
    StockSet,
    CampaignCreated,
    CodesMade,
    CodeFreed,
    OrderMoved,
    OrderRefunded,
    JobRetried,
    NumbersImported,
    SimCardsImported,
    EsimProfilesImported,
    StaffCreated,
    StaffRoleChanged,
    StaffDisabled,
    StaffEnabled,
    OrderMailResent,
    CategoryCreated,
    CategoryUpdated,
    BranchUpdated,
    ImageAdded,
    ImageRemoved,
    NumberRetired,
    NumberReleased,
    CampaignUpdated,
}

impl AuditAction {
    pub const ALL: [AuditAction; 26] = [
        AuditAction::ProductCreated,
        AuditAction::ProductUpdated,
        AuditAction::BranchCreated,
        AuditAction::StockSet,
        AuditAction::CampaignCreated,
        AuditAction::CodesMade,
        AuditAction::CodeFreed,
        AuditAction::OrderMoved,
        AuditAction::OrderRefunded,
        AuditAction::JobRetried,
        AuditAction::NumbersImported,
        AuditAction::SimCardsImported,
        AuditAction::EsimProfilesImported,
        AuditAction::StaffCreated,
        AuditAction::StaffRoleChanged,
        AuditAction::StaffDisabled,
        AuditAction::StaffEnabled,
        AuditAction::OrderMailResent,
        AuditAction::CategoryCreated,
        AuditAction::CategoryUpdated,
        AuditAction::BranchUpdated,
        AuditAction::ImageAdded,
        AuditAction::ImageRemoved,
        AuditAction::NumberRetired,
        AuditAction::NumberReleased,
        AuditAction::CampaignUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ProductCreated => "product_created",
            AuditAction::ProductUpdated => "product_updated",
            AuditAction::BranchCreated => "branch_created",
            AuditAction::StockSet => "stock_set",
            AuditAction::CampaignCreated => "campaign_created",
            AuditAction::CodesMade => "codes_made",
            AuditAction::CodeFreed => "code_freed",
            AuditAction::OrderMoved => "order_moved",
            AuditAction::OrderRefunded => "order_refunded",
            AuditAction::JobRetried => "job_retried",
            AuditAction::NumbersImported => "numbers_imported",
            AuditAction::SimCardsImported => "sim_cards_imported",
            AuditAction::EsimProfilesImported => "esim_profiles_imported",
            AuditAction::StaffCreated => "staff_created",
            AuditAction::StaffRoleChanged => "staff_role_changed",
            AuditAction::StaffDisabled => "staff_disabled",
            AuditAction::StaffEnabled => "staff_enabled",
            AuditAction::OrderMailResent => "order_mail_resent",
            AuditAction::CategoryCreated => "category_created",
            AuditAction::CategoryUpdated => "category_updated",
            AuditAction::BranchUpdated => "branch_updated",
            AuditAction::ImageAdded => "image_added",
            AuditAction::ImageRemoved => "image_removed",
            AuditAction::NumberRetired => "number_retired",
            AuditAction::NumberReleased => "number_released",
            AuditAction::CampaignUpdated => "campaign_updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// What it was done to: a kind of record and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: &'static str,
    pub id: String,
}

impl Subject {
    pub fn new(kind: &'static str, id: impl ToString) -> Self {
        Subject { kind, id: id.to_string() }
    }
}

/// Records one change by `actor` (whose email is kept with it) in the caller's transaction.
///
/// # Errors
/// A database failure, which fails the change with it.
pub fn record(
    conn: &mut PgConnection,
    actor: AccountId,
    action: AuditAction,
    subject: &Subject,
    before: Option<Value>,
    after: Option<Value>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    prepared(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, subject_type, subject_id, before, after) \
         SELECT $1, a.id, a.email, $3, $4, $5, $6, $7 FROM accounts a WHERE a.id = $2",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<SqlUuid, _>(actor)
    .bind::<Text, _>(action.as_str())
    .bind::<Text, _>(subject.kind)
    .bind::<Text, _>(&subject.id)
    .bind::<Nullable<Jsonb>, _>(before)
    .bind::<Nullable<Jsonb>, _>(after)
    .execute(conn)?;
    Ok(())
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, QueryableByName)]
pub struct AuditEntry {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<AccountId>,
    #[diesel(sql_type = Text)]
    pub actor_email: String,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Text)]
    pub subject_type: String,
    #[diesel(sql_type = Text)]
    pub subject_id: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub after: Option<Value>,
}

/// Which changes to show.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<AccountId>,
    pub action: Option<AuditAction>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Changes newest first, filtered; one statement (the total from the same scan).
///
/// # Errors
/// A database failure.
pub fn list(conn: &mut PgConnection, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEntry>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(embed)]
        entry: AuditEntry,
        #[diesel(sql_type = BigInt)]
        total: i64,
    }
    let rows: Vec<Row> = prepared(
        "SELECT id, at, actor_id, actor_email, action, subject_type, subject_id, before, after, \
                count(*) OVER () AS total FROM audit_log \
         WHERE ($1::uuid IS NULL OR actor_id = $1) AND ($2::text IS NULL OR action = $2) \
           AND ($3::text IS NULL OR subject_type = $3) AND ($4::text IS NULL OR subject_id = $4) \
           AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6) \
         ORDER BY at DESC, id DESC LIMIT $7 OFFSET $8",
    )
    .bind::<Nullable<SqlUuid>, _>(filter.actor)
    .bind::<Nullable<Text>, _>(filter.action.map(AuditAction::as_str))
    .bind::<Nullable<Text>, _>(filter.subject_type.as_deref())
    .bind::<Nullable<Text>, _>(filter.subject_id.as_deref())
    .bind::<Nullable<Timestamptz>, _>(filter.from)
    .bind::<Nullable<Timestamptz>, _>(filter.until)
    .bind::<BigInt, _>(page.limit())
    .bind::<BigInt, _>(page.offset())
    .load(conn)?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok(Page { items: rows.into_iter().map(|r| r.entry).collect(), page: page.page, per_page: page.per_page, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
    }
}
