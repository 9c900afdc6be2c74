//! `seaworthy.toml`: which rules run, at which severity, on which paths and
//! apps, and what is suppressed. Found from the audited path upward to the
//! repository root; unknown keys are errors that name the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::finding::Severity;
use crate::rules;

pub const FILE_NAME: &str = "seaworthy.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub paths: PathsConfig,
    /// Suppressions by rule and path glob.
    #[serde(default)]
    pub suppress: Vec<SuppressionConfig>,
    /// Per-app settings, keyed by the app's path (`apps/web`, `.`).
    #[serde(default)]
    pub apps: BTreeMap<String, AppConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule names or codes that do not run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule name or code → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsConfig {
    /// Globs (relative to the root): apps and findings there are not reported.
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionConfig {
    pub rule: String,
    /// Globs the finding's evidence must match; every path when empty.
    #[serde(default)]
    pub paths: Vec<String>,
    pub reason: String,
    /// `YYYY-MM-DD`: after this day the suppression stops suppressing.
    pub expires: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// Do not audit this app at all.
    #[serde(default)]
    pub ignore: bool,
    /// Rules that do not run for this app.
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    /// The first `seaworthy.toml` from `start` upward, stopping at the
    /// repository root (the folder holding `.git`).
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::fs::canonicalize(start).ok()?;
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        None
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let invalid = |message: String| ConfigError::Invalid {
            path: shown.clone(),
            message,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot be read: {e}")))?;
        let config: Config = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    /// Rule names, severities, globs and dates must all mean something.
    fn validate(&self) -> Result<(), String> {
        let known = |name: &str| rules::find(name).is_some();
        for name in self
            .rules
            .disable
            .iter()
            .chain(self.apps.values().flat_map(|a| a.disable.iter()))
            .chain(self.rules.severity.keys())
            .chain(self.suppress.iter().map(|s| &s.rule))
        {
            if !known(name) {
                return Err(format!(
                    "unknown rule `{name}` (`seaworthy rules` lists them)"
                ));
            }
        }
        for (name, severity) in &self.rules.severity {
            if Severity::parse(severity).is_none() {
                return Err(format!(
                    "rules.severity.{name}: `{severity}` is not one of critical, high, medium, low, info"
                ));
            }
        }
        for s in &self.suppress {
            if s.reason.trim().is_empty() {
                return Err(format!("suppress for `{}`: a reason is required", s.rule));
            }
            if let Some(date) = &s.expires {
                parse_date(date).map_err(|e| format!("suppress for `{}`: expires {e}", s.rule))?;
            }
        }
        for glob in self
            .paths
            .ignore
            .iter()
            .chain(self.suppress.iter().flat_map(|s| s.paths.iter()))
        {
            Glob::new(glob).map_err(|e| format!("invalid glob `{glob}`: {e}"))?;
        }
        Ok(())
    }

    pub fn is_disabled(&self, rule: &str, app: Option<&str>) -> bool {
        let matches = |list: &[String]| {
            list.iter()
                .any(|n| rules::find(n).is_some_and(|r| r.meta.name == rule))
        };
        matches(&self.rules.disable)
            || app
                .and_then(|a| self.apps.get(a))
                .is_some_and(|a| matches(&a.disable))
    }

    pub fn severity_override(&self, rule: &str) -> Option<Severity> {
        self.rules
            .severity
            .iter()
            .find(|(n, _)| rules::find(n).is_some_and(|r| r.meta.name == rule))
            .and_then(|(_, s)| Severity::parse(s))
    }

    pub fn ignored_paths(&self) -> GlobSet {
        globs(&self.paths.ignore)
    }
}

pub fn globs(patterns: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        if let Ok(glob) = Glob::new(p) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format).map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        config.validate()?;
        Ok(config)
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = parse("[rules]\ndisabled = ['x']\n").expect_err("unknown key");
        assert!(err.contains("disabled"), "{err}");
        let err = parse("[rules]\ndisable = ['no-such-rule']\n").expect_err("unknown rule");
        assert!(err.contains("no-such-rule"), "{err}");
    }

    #[test]
    fn reads_every_section() {
        let config = parse(
            "[rules]\ndisable = ['SW101']\nseverity = { sqlite-in-production = 'high' }\n[paths]\nignore = ['legacy/**']\n[[suppress]]\nrule = 'backups-not-offsite'\npaths = ['scripts/dev-*.sh']\nreason = 'developer snapshots'\nexpires = '2099-01-01'\n[apps.'apps/docs']\ndisable = ['missing-health-endpoint']\n",
        )
        .expect("valid");
        assert!(config.is_disabled("missing-container-config", None));
        assert!(config.is_disabled("missing-health-endpoint", Some("apps/docs")));
        assert!(!config.is_disabled("missing-health-endpoint", Some("apps/web")));
        assert_eq!(
            config.severity_override("sqlite-in-production"),
            Some(Severity::High)
        );
        assert!(config.ignored_paths().is_match("legacy/app/package.json"));
    }
}
