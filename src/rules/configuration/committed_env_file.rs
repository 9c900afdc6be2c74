//! committed-env-file: a real environment file with secret values is in
//! the repository.

use crate::facts::env_file::EnvVar;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::roles::{FileRole, Role};
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

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let roles = cx.file_roles();
    for id in cx.index.of_kind(FileKind::EnvFile) {
        let rel = cx.rel(*id);
        if let Some(env) = cx.facts.env_file(*id) {
            let role = roles.of(cx, *id);
            // The walk lists files git tracks although .gitignore now
            // excludes them (`ignored`): every clone has them.
            findings.extend(file_finding(cx, rel, env, &role, cx.index.get(*id).ignored));
        }
    }
    findings
}

fn file_finding(
    cx: &RepoContext,
    rel: &str,
    env: &crate::facts::EnvFile,
    role: &FileRole,
    ignored_but_tracked: bool,
) -> Option<Finding> {
    // What the file is for is the file-role model's (`roles::env_file`):
    // a development file (a dev word, `.devcontainer/`, loaded only by
    // development compose files, pointing at localhost) reports only
    // credentials in a known format; test, CI and template files nothing.
    let development = match role.role {
        Role::Production | Role::Undecided => false,
        Role::Development => true,
        _ => return None,
    };
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
