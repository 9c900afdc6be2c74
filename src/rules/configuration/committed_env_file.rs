//! committed-env-file: a real environment file with secret values is in
//! the repository.

use crate::facts::env_file::EnvVar;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::roles::path::is_non_product_path;
use crate::rules::configuration::secrets::{
    is_named_after, is_placeholder, is_secret_name, known_format, url_has_remote_password,
};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "committed-env-file",
        code: "SW701",
        severity: Severity::Critical,
        category: Category::Configuration,
        title: "Secrets in a committed env file",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a real environment file — `.env`, `.env.local`, `.env.production`,
`.env.staging`, `prod.env`, … — that is in the repository (not excluded by
`.gitignore`, or tracked by git although `.gitignore` now excludes it: the
file was committed before it was ignored, as `.git/index` shows) and holds
secret values: a variable whose name says secret,
password, token or key (`JWT_SECRET`, `DB_PASSWORD`, `STRIPE_SECRET_KEY`,
`APP_KEY`; not `*_PUBLIC_*`, `*_PUBLISHABLE_*`, `*_ID`, `*_URL`), a connection
URL with a password for a remote host (`DATABASE_URL=postgres://app:…@db.example.net/app`),
or a value in a known credential format (AWS access key, Stripe live key,
GitHub/GitLab/Slack token, private key).

Not reported: env examples (`.env.example`, `.sample`, `.template`, `.dist`);
files for tests and CI (`.env.test`, `.env.ci`, `.env.e2e`) and files under
test, fixture, example or CI folders (`ci/base.env`, `.github/`); empty values, references (`${OTHER}`) and
placeholders (`changeme`, `your-key-here`, `xxxx`, `dev-secret`, values under
10 characters, values that only spell their variable's name:
`POSTGRES_ASTRONOMY_PASSWORD=astronomy_password`); passwords for `localhost` or a Compose service (`db`,
`postgres`). In development files (`.env.development`, `.env.dev`) only
values in a known credential format are reported. The message names the
variables and their lines, never the values.

## Why is this bad?
Everyone with read access to the repository — every clone, fork, CI job and
backup — has the credentials, and they stay in git history after the file is
deleted. A leaked database password or API key is a breach waiting to happen.

## Example
### Reported
```dotenv file=.env.production
NODE_ENV=production
DATABASE_URL=postgres://shop:Zq81kLm2vXr9@shop-db.c9akciq32.eu-west-1.rds.amazonaws.com:5432/shop
STRIPE_SECRET_KEY=sk_live_51HqLyjWDarjtT1zdp7dcKQ9r
```

### Not reported
The file is excluded by `.gitignore`:

```text file=.gitignore
.env*
!.env.example
```

```dotenv file=.env.production
STRIPE_SECRET_KEY=sk_live_51HqLyjWDarjtT1zdp7dcKQ9r
```

### Not reported
Placeholders only:

```dotenv file=.env
DATABASE_URL=postgres://postgres:postgres@localhost:5432/shop
JWT_SECRET=changeme
STRIPE_SECRET_KEY=
```

## Fix
Remove the file from the repository (`git rm --cached .env.production`), add
it to `.gitignore`, and rotate every listed secret: they remain in git
history. Keep a `.env.example` with placeholders, and give the real values to
the app through the platform's secret store (GitHub/Vercel/Fly secrets, AWS
Secrets Manager, Kubernetes Secrets, Doppler, 1Password).

`seaworthy fix --unsafe` adds the file, anchored to its path, to
`.gitignore`, and when git tracks it names `git rm --cached -- <file>` as the
command to run (the file on disk stays; the finding stays until it runs).
It cannot rewrite history and says so: every earlier commit, fork and clone
still holds the values, so rotate them.
"#;

/// Name words that mark an env file as test, CI or sample data.
const NON_PRODUCT_ENV_WORDS: &[&str] = &[
    "ci",
    "cypress",
    "e2e",
    "example",
    "fake",
    "mock",
    "playwright",
    "sample",
    "spec",
    "storybook",
    "template",
    "test",
    "testing",
    "tests",
];

const DEV_ENV_WORDS: &[&str] = &["dev", "development", "devcontainer"];

enum FileClass {
    Skip,
    Development,
    Real,
}

fn classify(rel: &str) -> FileClass {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| NON_PRODUCT_ENV_WORDS.contains(w)) {
        return FileClass::Skip;
    }
    // A file in a CI folder (`ci/base.env`, passed to the test run with
    // `--env-file`) configures the pipeline's throw-away services.
    let dirs = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if dirs.split('/').any(|p| {
        matches!(
            p.to_ascii_lowercase().as_str(),
            "ci" | ".github"
                | ".circleci"
                | ".gitlab"
                | ".buildkite"
                | "e2e"
                | "cypress"
                | "playwright"
        )
    }) {
        return FileClass::Skip;
    }
    let in_dev_dir = rel.split('/').any(|p| p == ".devcontainer");
    if in_dev_dir || words.iter().any(|w| DEV_ENV_WORDS.contains(w)) {
        return FileClass::Development;
    }
    FileClass::Real
}

/// Why a variable's value is a secret, if it is one.
pub fn secret_reason(var: &EnvVar, development: bool) -> Option<&'static str> {
    if let Some(what) = known_format(&var.value) {
        return Some(what);
    }
    if development {
        return None;
    }
    if url_has_remote_password(&var.value) {
        return Some("a connection URL with a password");
    }
    (is_secret_name(&var.name)
        && !is_placeholder(&var.value)
        && !is_named_after(&var.name, &var.value)
        && !var.value.contains("://"))
    .then_some("a secret")
}

fn points_at_localhost(env: &crate::facts::EnvFile) -> bool {
    env.vars.iter().any(|v| {
        let name = v.name.to_ascii_uppercase();
        let value = v.value.to_ascii_lowercase();
        (name.ends_with("HOST") || name.ends_with("HOSTNAME") || name.ends_with("URL"))
            && (value == "localhost"
                || value == "127.0.0.1"
                || value.contains("://localhost")
                || value.contains("@localhost")
                || value.contains("://127.0.0.1")
                || value.contains("@127.0.0.1"))
    })
}

/// Whether the file's leading comments call it a template to copy
/// ("This file is a template… Copy this file to .env and change the
/// values"): its values are defaults to replace, not the deployment's.
fn says_template(text: &str) -> bool {
    text.lines()
        .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        .take(30)
        .map(str::to_ascii_lowercase)
        .any(|l| {
            l.contains("template")
                || l.contains("copy this file")
                || l.contains("copy to .env")
                || l.contains("example")
                || l.contains("sample")
        })
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for id in cx.index.of_kind(FileKind::EnvFile) {
        let rel = cx.rel(*id);
        if let Some(env) = cx.facts.env_file(*id) {
            let header = crate::facts::text::read_text(&cx.index.path(*id), 1024 * 1024)
                .map(|text| says_template(&text))
                .unwrap_or(false);
            if header {
                continue;
            }
            // The walk lists files git tracks although .gitignore now
            // excludes them: every clone has them.
            findings.extend(file_finding(cx, rel, env, cx.index.get(*id).ignored));
        }
    }
    findings
}

fn file_finding(
    cx: &RepoContext,
    rel: &str,
    env: &crate::facts::EnvFile,
    ignored_but_tracked: bool,
) -> Option<Finding> {
    if is_non_product_path(rel) {
        return None;
    }
    let development = match classify(rel) {
        FileClass::Skip => return None,
        FileClass::Development => true,
        FileClass::Real => false,
    };
    // A file that points the app at this machine is a developer's local
    // configuration: only credentials in a known format count there.
    let development = development || points_at_localhost(env);
    let secrets: Vec<(&EnvVar, &str)> = env
        .vars
        .iter()
        .filter_map(|v| secret_reason(v, development).map(|r| (v, r)))
        .collect();
    if secrets.is_empty() {
        return None;
    }
    let listed: Vec<String> = secrets
        .iter()
        .take(8)
        .map(|(v, _)| format!("{} (line {})", code(&v.name), v.line))
        .collect();
    let more = secrets.len().saturating_sub(8);
    let mut names = listed.join(", ");
    if more > 0 {
        names.push_str(&format!(" and {more} more"));
    }
    let mut formats: Vec<&str> = secrets
        .iter()
        .map(|(_, r)| *r)
        .filter(|r| *r != "a secret")
        .collect();
    formats.sort_unstable();
    formats.dedup();
    let status = if ignored_but_tracked {
        "is tracked by git although .gitignore excludes it (it was committed before it was ignored)"
    } else {
        "is in the repository (not excluded by .gitignore)"
    };
    let mut message = format!(
        "{} {status} and sets {} secret value{}: {names}.",
        code(rel),
        secrets.len(),
        if secrets.len() == 1 { "" } else { "s" },
    );
    if !formats.is_empty() {
        message.push_str(&format!(" Among them: {}.", formats.join(", ")));
    }
    let app = cx
        .apps
        .iter()
        .filter(|a| a.path == "." || rel.starts_with(&format!("{}/", a.path)))
        .max_by_key(|a| a.path.len());
    let file_name = rel.rsplit('/').next().unwrap_or(rel);
    Some(RULE.meta.finding(
        app,
        message,
        "Anyone with access to the repository, its forks, clones and CI logs has these credentials, and git history keeps them after the file is deleted.".to_string(),
        format!(
            "Run `git rm --cached {rel}`, add `{file_name}` to .gitignore, and rotate every listed secret (history still has them). Keep placeholders in an env example and give real values through the platform's secret store."
        ),
        secrets
            .iter()
            .map(|(v, _)| Location::new(rel, v.line))
            .collect(),
    ))
}
