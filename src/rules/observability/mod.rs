//! Observability & Monitoring.

pub mod apm_sdk_missing;
pub mod missing_health_endpoint;
