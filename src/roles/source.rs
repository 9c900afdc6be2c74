//! What a source file is for: production code, a test, development
//! tooling, a seed or migration script, or an example. The code rules
//! (`sqlite-in-production`, `hardcoded-fallback-secret`,
//! `env-example-drift`) read code production runs; each used to keep its
//! own list of test and seed words, so `seed.ts` was a seed for one rule
//! and production code for another. This is the one list.
//!
//! Decided from the path alone (the file's name words first, then its
//! folders), so it costs a few string splits and is the same for every
//! rule and for `seaworthy explain --files`. Folders that hold no product
//! code at all (`examples/`, `test/`) are `path::non_product_folder`'s and
//! are skipped by the index before any code rule looks; this module
//! decides the files that live among product code.

use super::{FileRole, Role};

/// What a source file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRole {
    /// Code the deployed app runs.
    Production,
    /// Tests, specs, mocks, fixtures, test setup.
    Test,
    /// Development configuration and tools run by hand or by the build:
    /// `settings/dev.py`, `scripts/`, `build.rs`, stories.
    DevTooling,
    /// Seed and migration scripts: run once, with the variables given on
    /// the command line, against a database someone chose.
    SeedMigration,
    /// Examples and samples meant to be copied.
    Example,
}

impl SourceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceRole::Production => "production code",
            SourceRole::Test => "test code",
            SourceRole::DevTooling => "development tooling",
            SourceRole::SeedMigration => "a seed or migration script",
            SourceRole::Example => "example code",
        }
    }

    /// The general role the file model shows.
    pub fn role(self) -> Role {
        match self {
            SourceRole::Production => Role::Production,
            SourceRole::Test => Role::Test,
            SourceRole::DevTooling => Role::Development,
            SourceRole::SeedMigration => Role::Tooling,
            SourceRole::Example => Role::Template,
        }
    }
}

/// A source file's role, why, and whether its name says production
/// (`production.py`, `config/prod.js`: the settings production runs with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceJudgement {
    pub role: SourceRole,
    pub why: String,
    pub production_named: bool,
}

impl SourceJudgement {
    pub fn is_production(&self) -> bool {
        self.role == SourceRole::Production
    }

    pub fn file_role(&self) -> FileRole {
        FileRole::new(
            self.role.role(),
            format!("{}: {}", self.role.as_str(), self.why),
        )
    }
}

/// Words of a file name (without its extension) and the role each names.
fn name_word_role(word: &str) -> Option<SourceRole> {
    Some(match word {
        "test" | "tests" | "testing" | "spec" | "specs" | "conftest" | "e2e" | "mock" | "mocks"
        | "fixture" | "fixtures" | "playwright" | "cypress" | "vitest" | "jest" | "setuptests" => {
            SourceRole::Test
        }
        "dev" | "development" | "local" | "debug" | "ci" | "stories" => SourceRole::DevTooling,
        "seed" | "seeds" | "seeder" | "seeding" | "migrate" | "migration" => {
            SourceRole::SeedMigration
        }
        "example" | "sample" => SourceRole::Example,
        _ => return None,
    })
}

/// Folders among product code and the role each names. `versions` and
/// `revisions` are Alembic's migration folders only under a migrations
/// folder (elsewhere they may hold API versions).
fn folder_role(folder: &str, parent: Option<&str>) -> Option<SourceRole> {
    Some(match folder {
        "test" | "tests" | "testing" | "__tests__" | "__mocks__" | "fixtures" | "__fixtures__"
        | "e2e" | "cypress" | "playwright" | "factories" => SourceRole::Test,
        "scripts" | "script" | "tools" | "bin" | ".storybook" | "stories" | "management" => {
            SourceRole::DevTooling
        }
        "seed" | "seeds" | "seeders" | "migrations" => SourceRole::SeedMigration,
        "versions" | "revisions"
            if parent.is_some_and(|p| matches!(p, "alembic" | "migrations" | "migration")) =>
        {
            SourceRole::SeedMigration
        }
        _ => return None,
    })
}

/// The package of a Go file in a test-helper package: by Go's convention a
/// package named `…test` (`httptest`, gogs' `internal/dbtest`) or
/// `testutil` opens throw-away resources for other packages' tests and is
/// never the server's configuration. English words that end in `test`
/// (`latest`, `contest`, superlatives) are ordinary packages.
fn go_test_helper_package<'a>(dir: &'a str, name: &str) -> Option<&'a str> {
    if !name.ends_with(".go") || dir.is_empty() {
        return None;
    }
    let package = dir.rsplit('/').next().unwrap_or(dir);
    let helper = matches!(package, "testutil" | "testutils" | "testhelpers")
        || package.strip_suffix("test").is_some_and(|stem| {
            !stem.is_empty()
                && !matches!(
                    stem,
                    "la" | "con"
                        | "at"
                        | "pro"
                        | "de"
                        | "fas"
                        | "grea"
                        | "shor"
                        | "smar"
                        | "hot"
                        | "sof"
                )
        });
    helper.then_some(package)
}

/// Judges a source file by its path.
pub fn judge(rel: &str) -> SourceJudgement {
    let lower = rel.to_ascii_lowercase();
    let (dir, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let production_named = stem
        .split(['_', '-', '.'])
        .any(|w| matches!(w, "prod" | "production" | "live"));
    let judged = |role: SourceRole, why: String| SourceJudgement {
        role,
        why,
        production_named,
    };
    let test_suffix = name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("_test.go")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || name.ends_with("_test.py")
        || name.starts_with("test_");
    if test_suffix {
        return judged(
            SourceRole::Test,
            format!("its name `{name}` says it is a test"),
        );
    }
    if let Some(package) = go_test_helper_package(dir, name) {
        return judged(
            SourceRole::Test,
            format!(
                "it is Go code of the test-helper package `{package}` (Go names such packages `…test`, as `httptest`): it opens throw-away resources for other packages' tests"
            ),
        );
    }
    if name == "build.rs" {
        return judged(
            SourceRole::DevTooling,
            "`build.rs` is Cargo's build script: it runs when the crate is compiled".to_string(),
        );
    }
    if let Some((word, role)) = stem
        .split(['_', '-', '.'])
        .find_map(|w| name_word_role(w).map(|r| (w, r)))
    {
        return judged(role, format!("its name `{name}` says `{word}`"));
    }
    for env in ["environments/development", "environments/test"] {
        if lower.contains(env) {
            let role = if env.ends_with("test") {
                SourceRole::Test
            } else {
                SourceRole::DevTooling
            };
            return judged(role, format!("it is in `{env}/`"));
        }
    }
    let mut parent = None;
    for folder in dir.split('/').filter(|f| !f.is_empty()) {
        if let Some(role) = folder_role(folder, parent) {
            return judged(role, format!("it is in the folder `{folder}/`"));
        }
        parent = Some(folder);
    }
    judged(
        SourceRole::Production,
        "neither its name nor its folders say test, development, seed, migration or example"
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(rel: &str) -> SourceRole {
        judge(rel).role
    }

    #[test]
    fn names_and_folders() {
        assert_eq!(role("src/server.ts"), SourceRole::Production);
        assert_eq!(role("src/db.test.ts"), SourceRole::Test);
        assert_eq!(role("app/settings/dev.py"), SourceRole::DevTooling);
        assert_eq!(role("prisma/seed.ts"), SourceRole::SeedMigration);
        assert_eq!(role("db/migrations/001_init.js"), SourceRole::SeedMigration);
        assert_eq!(role("alembic/versions/abc.py"), SourceRole::SeedMigration);
        assert_eq!(role("api/versions/v1.py"), SourceRole::Production);
        assert_eq!(role("scripts/backfill.ts"), SourceRole::DevTooling);
        assert_eq!(role("config/example.js"), SourceRole::Example);
        assert_eq!(
            role("src/environments/development.ts"),
            SourceRole::DevTooling
        );
        assert!(judge("config/production.py").production_named);
        assert_eq!(role("internal/dbtest/dbtest.go"), SourceRole::Test);
        assert_eq!(role("pkg/testutil/db.go"), SourceRole::Test);
        assert_eq!(role("internal/latest/version.go"), SourceRole::Production);
        assert_eq!(role("internal/contest/store.go"), SourceRole::Production);
        assert_eq!(role("internal/dbtest/README.md"), SourceRole::Production);
        assert!(!judge("src/devices.ts").production_named);
        assert_eq!(role("src/devices.ts"), SourceRole::Production);
    }
}
