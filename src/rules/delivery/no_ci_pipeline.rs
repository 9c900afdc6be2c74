//! no-ci-pipeline: a repository with an app and no CI configuration at all.

use std::path::Path;

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "no-ci-pipeline",
        code: "SW211",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "No CI pipeline",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a repository that holds an application and has no CI configuration
at all: no GitHub Actions workflow (`.github/workflows/*.yml`, or Gitea,
Forgejo and Depot CI workflows in the same format), no
`.gitlab-ci.yml` (or `.gitlab/ci/`), `.circleci/config.yml`, `Jenkinsfile`,
`azure-pipelines.yml`, `bitbucket-pipelines.yml`, `.buildkite/`, `.drone.yml`,
`.woodpecker.yml`/`.woodpecker/`, `.travis.yml`, `cloudbuild.yaml`,
`buildspec.yml`, `.semaphore/`, `.tekton/`, `appveyor.yml`, `.cirrus.yml` or
`codemagic.yaml`. When the audited folder is part of a larger git repository,
the CI configuration at that repository's root counts too.

## Why is this bad?
Without CI nothing checks a change before it ships: tests, type checks and the
build run only when someone remembers to run them on their machine, and a
release is built from whatever state that machine is in.

## Example
### Reported
```json file=package.json
{ "name": "shop", "private": true, "scripts": { "build": "next build", "start": "next start", "test": "vitest run" }, "dependencies": { "next": "15.1.0" } }
```

### Not reported
```json file=package.json
{ "name": "shop", "private": true, "scripts": { "build": "next build", "start": "next start", "test": "vitest run" }, "dependencies": { "next": "15.1.0" } }
```

```yaml file=.github/workflows/ci.yml
name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 22, cache: npm }
      - run: npm ci
      - run: npm test
      - run: npm run build
```

## Fix
Add a pipeline that runs on every push and pull request: install from the
lockfile, lint and type-check, run the tests, and build the production
artifact (the container image, when there is one). A GitHub Actions workflow
in `.github/workflows/ci.yml` is the shortest path on GitHub; GitLab CI,
CircleCI and the others work the same way.
"#;

/// CI files and folders, checked at the root of the enclosing git
/// repository when the audited folder is inside one.
const CI_PATHS: &[&str] = &[
    ".buildkite",
    ".circleci",
    ".cirrus.yml",
    ".depot/workflows",
    ".drone.yml",
    ".forgejo/workflows",
    ".gitea/workflows",
    ".github/workflows",
    ".gitlab-ci.yml",
    ".semaphore",
    ".tekton",
    ".travis.yml",
    ".woodpecker",
    ".woodpecker.yml",
    ".woodpecker.yaml",
    "Jenkinsfile",
    "appveyor.yml",
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    "bitbucket-pipelines.yml",
    "buildspec.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "codemagic.yaml",
];

/// Whether a git repository that encloses `root` (the audited folder is a
/// subfolder of it) has CI configuration at its top.
fn enclosing_repository_has_ci(root: &Path) -> bool {
    let Ok(root) = std::fs::canonicalize(root) else {
        return false;
    };
    if root.join(".git").exists() {
        return false;
    }
    for ancestor in root.ancestors().skip(1).take(16) {
        if ancestor.join(".git").exists() {
            // A folder under the enclosing repository's tests or examples
            // is sample material audited on its own: that repository's CI
            // does not build it.
            let inner = crate::walk::relative(ancestor, &root);
            if crate::apps::is_non_product_path(&format!("{inner}/x")) {
                return false;
            }
            return CI_PATHS.iter().any(|p| ancestor.join(p).exists());
        }
    }
    false
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    if cx.apps.is_empty() || !cx.index.of_kind(FileKind::CiConfig).is_empty() {
        return Vec::new();
    }
    if enclosing_repository_has_ci(&cx.index.root) {
        return Vec::new();
    }
    let manifests: Vec<Location> = cx
        .apps
        .iter()
        .map(|a| Location::new(cx.rel(a.manifest), 1))
        .collect();
    let names: Vec<String> = cx
        .apps
        .iter()
        .take(5)
        .map(|a| {
            format!(
                "{} ({})",
                code(if a.path == "." { "." } else { &a.path }),
                a.framework().label()
            )
        })
        .collect();
    let app = (cx.apps.len() == 1).then(|| &cx.apps[0]);
    let subject = if cx.apps.len() == 1 {
        format!("The repository holds the app {}", names.join(", "))
    } else {
        format!(
            "The repository holds {} apps ({}{})",
            cx.apps.len(),
            names.join(", "),
            if cx.apps.len() > 5 { ", …" } else { "" }
        )
    };
    vec![RULE.meta.finding(
        app,
        format!(
            "{subject} and no CI configuration: no `.github/workflows/`, `.gitlab-ci.yml`, `.circleci/config.yml`, `Jenkinsfile` or other pipeline file."
        ),
        "Nothing tests, type-checks or builds a change before it ships; broken code reaches production as soon as someone deploys it, and releases are built on whichever machine happens to run the deploy.".to_string(),
        "Add a CI pipeline that runs on every push and pull request: install from the lockfile, lint, run the tests, and build the production artifact (e.g. `.github/workflows/ci.yml` on GitHub, `.gitlab-ci.yml` on GitLab).".to_string(),
        manifests,
    )]
}
