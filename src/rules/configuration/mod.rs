//! Configuration & Secrets.

pub mod committed_env_file;
pub mod debug_enabled_in_production;
pub mod env_example_drift;
pub mod hardcoded_fallback_secret;
pub mod secret_exposed_to_browser;
pub mod secrets;
pub mod suppression_expired;
