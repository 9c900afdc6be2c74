//! Delivery: CI/CD pipelines and Terraform state (reported under
//! Containerization & Deployment).

pub mod ci_never_runs_tests;
pub mod no_ci_pipeline;
pub mod terraform_no_remote_backend;
pub mod terraform_state_committed;
