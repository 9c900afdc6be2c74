//! Database & Backups.

pub mod backup_not_encrypted;
pub mod backup_script_without_pipefail;
pub mod backup_without_restore_test;
pub mod backup_without_retention;
pub mod backups_not_offsite;
pub mod database_without_backup;
pub mod prisma_database_url_mismatch;
pub mod prisma_migrate_dev_in_production;
pub mod prisma_migration_lock_mismatch;
pub mod sqlite_in_production;
pub mod sqlite_on_serverless;
