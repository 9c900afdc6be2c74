//! Observability & Monitoring.

pub mod apm_sdk_missing;
pub mod apm_sdk_not_initialized;
pub mod evidence;
pub mod health_check_misses_dependencies;
pub mod health_check_without_timeout;
pub mod health_handlers;
pub mod missing_health_endpoint;
pub mod nextjs_health_route_cached;
pub mod no_error_tracking;
pub mod no_structured_logging;
