//! Fixture tests: one folder per case, `tests/fixtures/<rule>/<case>/`, each a
//! small repository. A case named `pos-*` must produce at least one finding of
//! that rule; a `neg-*` case must produce none. A case may hold an
//! `expected-evidence.txt` listing `path:line` entries (one per line) that the
//! rule's findings must cite, and an `expected-count.txt` with the number of
//! findings of the rule it must make (one cause, one finding).

use std::fs;
use std::path::Path;

use seaworthy::audit::{self, Options};

fn cases() -> Vec<(String, String, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for rule_dir in fs::read_dir(&root).expect("tests/fixtures exists") {
        let rule_dir = rule_dir.expect("readable").path();
        if !rule_dir.is_dir() {
            continue;
        }
        let rule = rule_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        for case in fs::read_dir(&rule_dir).expect("readable") {
            let case = case.expect("readable").path();
            if case.is_dir() {
                let name = case
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                out.push((rule.clone(), name, case));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_case_behaves_as_named() {
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures found");
    let mut failures = Vec::new();
    for (rule, name, dir) in &cases {
        assert!(
            seaworthy::rules::find(rule).is_some(),
            "fixtures/{rule}: no such rule"
        );
        let report = audit::run(dir, &Options::default()).expect("fixture audits");
        let found: Vec<_> = report.findings.iter().filter(|f| f.rule == rule).collect();
        let describe = || {
            found
                .iter()
                .map(|f| format!("{} {:?}", f.message, f.locations))
                .collect::<Vec<_>>()
                .join("\n      ")
        };
        if name.starts_with("pos-") && found.is_empty() {
            failures.push(format!("{rule}/{name}: expected a finding, got none"));
        } else if name.starts_with("neg-") && !found.is_empty() {
            failures.push(format!(
                "{rule}/{name}: expected no finding, got:\n      {}",
                describe()
            ));
        } else if !name.starts_with("pos-") && !name.starts_with("neg-") {
            failures.push(format!("{rule}/{name}: case names start with pos- or neg-"));
        }
        if let Ok(expected) = fs::read_to_string(dir.join("expected-evidence.txt")) {
            for want in expected
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let cited = found
                    .iter()
                    .flat_map(|f| &f.locations)
                    .any(|l| format!("{}:{}", l.path, l.line) == want);
                if !cited {
                    failures.push(format!(
                        "{rule}/{name}: evidence {want} not cited; got:\n      {}",
                        describe()
                    ));
                }
            }
        }
        // One cause, one finding: a case may say how many findings it makes.
        if let Ok(count) = fs::read_to_string(dir.join("expected-count.txt")) {
            let want: Option<usize> = count
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .and_then(|l| l.parse().ok());
            if want != Some(found.len()) {
                failures.push(format!(
                    "{rule}/{name}: expected {want:?} findings, got {}:\n      {}",
                    found.len(),
                    describe()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture case(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn each_rule_has_three_positive_and_three_negative_cases() {
    let cases = cases();
    // Meta rules (reported by the pipeline, e.g. expired suppressions) are
    // tested through the CLI in tests/ci_integration.rs.
    for rule in seaworthy::rules::ALL
        .iter()
        .filter(|r| !matches!(r.check, seaworthy::rules::Check::Meta))
    {
        let name = rule.meta.name;
        let pos = cases
            .iter()
            .filter(|(r, n, _)| r == name && n.starts_with("pos-"))
            .count();
        let neg = cases
            .iter()
            .filter(|(r, n, _)| r == name && n.starts_with("neg-"))
            .count();
        assert!(
            pos >= 3 && neg >= 3,
            "{name}: {pos} positive and {neg} negative cases; need 3 of each"
        );
    }
}
