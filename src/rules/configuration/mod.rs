//! Configuration & Secrets.

pub mod committed_env_file;
pub mod secrets;
pub mod suppression_expired;
