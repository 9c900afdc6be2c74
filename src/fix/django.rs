//! Fix generators for Django apps.

use super::profile::Profile;
use super::Builder;

pub const LIVE_PATH: &str = "/health/live";
pub const READY_PATH: &str = "/health/ready";
pub const RUNTIME_UID: u32 = 10001;

pub fn plan_container(_p: &Profile, _b: &mut Builder) -> Result<(), String> {
    Err("no container fix for Django apps yet".to_string())
}

pub fn plan_health(_p: &Profile, _b: &mut Builder) -> Result<(), String> {
    Err("no health fix for Django apps yet".to_string())
}
