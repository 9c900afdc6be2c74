//! Containerization & Deployment.

pub mod compose_database_port_exposed;
pub mod compose_database_without_volume;
pub mod compose_depends_on_without_healthcheck;
pub mod compose_files;
pub mod compose_literal_password;
pub mod container_without_healthcheck;
pub mod dockerfile_copies_env_file;
pub mod dockerfile_copy_without_dockerignore;
pub mod dockerfile_install_ignores_lockfile;
pub mod dockerfile_runs_as_root;
pub mod dockerfile_secret_in_env;
pub mod dockerfile_single_stage_build;
pub mod dockerfile_unpinned_base_image;
pub mod dockerfiles;
pub mod k8s_liveness_checks_database;
pub mod k8s_missing_readiness_probe;
pub mod k8s_missing_resources;
pub mod k8s_not_run_as_non_root;
pub mod k8s_single_replica;
pub mod kube_manifests;
pub mod manual_server_deployment;
pub mod missing_container_config;
pub mod nextjs_image_not_standalone;
