//! Containerization & Deployment.

pub mod compose_database_port_exposed;
pub mod compose_database_without_volume;
pub mod compose_depends_on_without_healthcheck;
pub mod compose_files;
pub mod compose_literal_password;
pub mod manual_server_deployment;
pub mod missing_container_config;
