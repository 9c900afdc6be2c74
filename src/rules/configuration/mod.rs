//! Configuration & Secrets.

pub mod suppression_expired;
