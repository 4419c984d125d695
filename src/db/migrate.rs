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

#[cfg(test)]
mod tests {
    use diesel::migration::MigrationSource;
    use diesel::pg::Pg;

    use super::MIGRATIONS;

    /// Cargo does not notice a new folder under `migrations/`: a build that missed one would
    /// migrate tests' databases without it.
    #[test]
    fn every_migration_on_disk_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let on_disk = std::fs::read_dir(dir).map(|d| d.flatten().filter(|e| e.path().is_dir()).count()).unwrap_or(0);
        let embedded = MigrationSource::<Pg>::migrations(&MIGRATIONS).map(|m| m.len()).unwrap_or(0);
        assert_eq!(embedded, on_disk, "rebuild after `touch src/db/migrate.rs`: a migration folder is not embedded");
    }
}
