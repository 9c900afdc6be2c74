//! Database & Backups.

pub mod backups_not_offsite;
pub mod sqlite_in_production;
