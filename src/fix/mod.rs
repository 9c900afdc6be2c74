//! Fix plans: the edits that resolve a finding, built from the same facts.
//!
//! Placeholder until the fix engine (branch wt-fix) lands: the two plan
//! types are defined here exactly as the engine defines them, so the
//! generators compile on their own and the merge is trivial.

pub mod backup;

/// One file edit, relative to the audited root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: String,
    /// The file's current content; `None` = create.
    pub before: Option<String>,
    pub after: String,
    pub executable: bool,
}

/// Everything a fix does for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPlan {
    pub rule: &'static str,
    pub app: Option<String>,
    pub edits: Vec<Edit>,
    pub unsafe_fix: bool,
    pub manual_steps: Vec<String>,
    pub next_commands: Vec<String>,
    pub assumptions: Vec<String>,
}
