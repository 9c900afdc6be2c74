//! Containerization & Deployment.

pub mod dockerfile_copy_without_dockerignore;
pub mod dockerfile_install_ignores_lockfile;
pub mod dockerfile_runs_as_root;
pub mod dockerfile_secret_in_env;
pub mod dockerfile_single_stage_build;
pub mod dockerfile_unpinned_base_image;
pub mod dockerfiles;
pub mod manual_server_deployment;
pub mod missing_container_config;
pub mod nextjs_image_not_standalone;
