//! Containerization & Deployment.

pub mod dockerfile_runs_as_root;
pub mod dockerfiles;
pub mod manual_server_deployment;
pub mod missing_container_config;
