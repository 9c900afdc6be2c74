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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    ContainerizationDeployment,
    ObservabilityMonitoring,
    DatabaseBackups,
    Configuration,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::ContainerizationDeployment,
        Category::ObservabilityMonitoring,
        Category::DatabaseBackups,
        Category::Configuration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "containerization-deployment",
            Category::ObservabilityMonitoring => "observability-monitoring",
            Category::DatabaseBackups => "database-backups",
            Category::Configuration => "configuration-secrets",
        }
    }

    /// Section heading for human-readable reports.
    pub fn heading(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "Containerization & Deployment",
            Category::ObservabilityMonitoring => "Observability & Monitoring",
            Category::DatabaseBackups => "Database & Backups",
            Category::Configuration => "Configuration & Secrets",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Category::ContainerizationDeployment => "\u{1F3D7}\u{FE0F}",
            Category::ObservabilityMonitoring => "\u{1F4E1}",
            Category::DatabaseBackups => "\u{1F4BE}",
            Category::Configuration => "\u{1F510}",
        }
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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

impl Finding {
    /// A fingerprint that identifies the finding across runs: the rule, the
    /// app, the evidence files and the message with its numbers removed, so
    /// that a line shift above the evidence does not make it a new finding.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(
            self.rule,
            self.app.as_deref(),
            self.locations.iter().map(|l| l.path.as_str()),
            &self.message,
        )
    }
}

/// `Finding::fingerprint` from the parts a JSON report keeps, so that two
/// reports read back from disk (`seaworthy diff`) match findings the way
/// baselines do.
pub fn fingerprint_of<'a>(
    rule: &str,
    app: Option<&str>,
    paths: impl Iterator<Item = &'a str>,
    message: &str,
) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0]);
    hasher.update(app.unwrap_or("").as_bytes());
    hasher.update([0]);
    for path in paths {
        hasher.update(path.as_bytes());
        hasher.update([0]);
    }
    let message: String = message.chars().filter(|c| !c.is_ascii_digit()).collect();
    hasher.update(message.as_bytes());
    let digest = hasher.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A file that could not be read or parsed. The audit goes on without it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AuditError {
    pub path: String,
    pub message: String,
}
