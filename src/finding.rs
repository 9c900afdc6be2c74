//! What an audit produces: findings with evidence, and the errors met on the way.

use serde::Serialize;

/// How urgent a finding is. Ordered so that `Critical > High > … > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The sections of the report, in the order the reference report uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    ContainerizationDeployment,
    ObservabilityMonitoring,
    DatabaseBackups,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::ContainerizationDeployment,
        Category::ObservabilityMonitoring,
        Category::DatabaseBackups,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "containerization-deployment",
            Category::ObservabilityMonitoring => "observability-monitoring",
            Category::DatabaseBackups => "database-backups",
        }
    }

    /// Section heading for human-readable reports.
    pub fn heading(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "Containerization & Deployment",
            Category::ObservabilityMonitoring => "Observability & Monitoring",
            Category::DatabaseBackups => "Database & Backups",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "\u{1F3D7}\u{FE0F}",
            Category::ObservabilityMonitoring => "\u{1F4E1}",
            Category::DatabaseBackups => "\u{1F4BE}",
        }
    }
}

/// How a finding is worded in the Markdown report. The reference report words
/// most findings as Issue / Impact / Fix, and a risk that needs verifying (the
/// backup strategy) as Observation / Risk / Requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wording {
    IssueImpactFix,
    ObservationRiskRequirement,
}

/// One piece of evidence: a file (relative to the audited root, forward
/// slashes) and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
}

impl Location {
    pub fn new(path: impl Into<String>, line: u32) -> Location {
        Location {
            path: path.into(),
            line: line.max(1),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub code: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// App path relative to the root ("." for a root app); `None` for repo-wide findings.
    pub app: Option<String>,
    pub title: String,
    pub message: String,
    pub impact: String,
    pub fix: String,
    pub locations: Vec<Location>,
    #[serde(skip)]
    pub wording: Wording,
}

/// A file that could not be read or parsed. The audit goes on without it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AuditError {
    pub path: String,
    pub message: String,
}
