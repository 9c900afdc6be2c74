//! Containerization & Deployment.

pub mod manual_server_deployment;
pub mod missing_container_config;
