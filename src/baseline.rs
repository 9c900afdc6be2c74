//! Baselines: the fingerprints of the findings a team has accepted, so that
//! CI reports only what is new. Fingerprints leave line numbers out, so a
//! baseline survives edits that move the evidence.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub schema_version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding; everything but the fingerprint is there for people
/// reading the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub app: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: not a seaworthy baseline: {1}")]
    Invalid(String, String),
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint(),
                rule: f.rule.to_string(),
                app: f.app.clone(),
                path: f.locations.first().map(|l| l.path.clone()),
            })
            .collect();
        entries.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            schema_version: 1,
            findings: entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| BaselineError::Io(shown.clone(), e))?;
        serde_json::from_str(&text).map_err(|e| BaselineError::Invalid(shown, e.to_string()))
    }

    /// Writes through a temporary file and a rename, so a crash never leaves
    /// a half-written baseline.
    pub fn write(&self, path: &Path) -> Result<(), BaselineError> {
        let shown = path.display().to_string();
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| BaselineError::Invalid(shown.clone(), e.to_string()))?;
        text.push('\n');
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir)
            .map_err(|e| BaselineError::Io(shown.clone(), e))?;
        std::fs::write(tmp.path(), text).map_err(|e| BaselineError::Io(shown.clone(), e))?;
        tmp.persist(path)
            .map_err(|e| BaselineError::Io(shown, e.error))?;
        Ok(())
    }

    /// Splits findings into new ones and the number already in the baseline.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let known: BTreeSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let before = findings.len();
        let new: Vec<Finding> = findings
            .into_iter()
            .filter(|f| !known.contains(f.fingerprint().as_str()))
            .collect();
        let matched = before - new.len();
        (new, matched)
    }
}
