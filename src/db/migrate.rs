//! The migrations embedded in the binary, so a deployed server migrates its own database.
use diesel::PgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Applies every pending migration and returns how many ran.
///
/// # Errors
/// The first migration that fails, with its name.
pub fn run_pending(conn: &mut PgConnection) -> Result<usize, String> {
    conn.run_pending_migrations(MIGRATIONS).map(|done| done.len()).map_err(|e| format!("migration failed: {e}"))
}
