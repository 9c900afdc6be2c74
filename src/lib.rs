//! seaworthy: a production-readiness auditor.
//!
//! The modules follow the pipeline:
//!
//! ```text
//! walk → index → apps → facts → rules → findings → render
//! ```

pub mod apps;
pub mod audit;
pub mod baseline;
pub mod compare;
pub mod config;
pub mod facts;
pub mod finding;
pub mod fix;
pub mod index;
pub mod probe;
pub mod render;
pub mod roles;
pub mod rules;
pub mod score;
pub mod stack;
pub mod suppress;
pub mod walk;
pub mod workers;
