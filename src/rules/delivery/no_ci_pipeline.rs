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
`codemagic.yaml`. When the audited folder is part of a larger repository,
the CI configuration at that repository's top counts too.

Only repositories are judged: the audited folder (or a folder above it) must
be a git, Mercurial, Jujutsu, Sapling or Subversion working copy. A plain
copy or export may have lost its CI files (`export-ignore`), and a folder
under another project's tests or examples is that project's sample
material, so neither is reported.

## Why is this bad?
Without CI nothing checks a change before it ships: tests, type checks and the
build run only when someone remembers to run them on their machine, and a
release is built from whatever state that machine is in.

## Example
### Reported
```text file=.git/HEAD
ref: refs/heads/main
```

```json file=package.json
{ "name": "shop", "private": true, "scripts": { "build": "next build", "start": "next start", "test": "vitest run" }, "dependencies": { "next": "15.1.0" } }
```

### Not reported
```text file=.git/HEAD
ref: refs/heads/main
```

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

/// Whether `dir` is the top of a version-controlled repository: a `.git`
/// file (worktree, submodule) or a `.git` folder with a `HEAD`, or a
/// Mercurial, Jujutsu, Sapling or Subversion working copy.
fn is_repository_root(dir: &Path) -> bool {
    let git = dir.join(".git");
    git.is_file()
        || git.join("HEAD").is_file()
        || [".hg", ".jj", ".sl", ".svn"]
            .iter()
            .any(|m| dir.join(m).is_dir())
}

/// What the repository around the audited folder says about CI.
enum Repository {
    /// The audited folder is the repository's top: its own files decide.
    AtRoot,
    /// The folder sits inside a repository whose top has CI configuration.
    EnclosingHasCi,
    /// The folder sits inside a repository without CI at its top.
    EnclosingWithoutCi,
    /// No repository (an export, a copy, sample material inside another
    /// project): whether CI exists cannot be told from here.
    Unknown,
}

fn repository(root: &Path) -> Repository {
    let Ok(root) = std::fs::canonicalize(root) else {
        return Repository::Unknown;
    };
    if is_repository_root(&root) {
        return Repository::AtRoot;
    }
    for ancestor in root.ancestors().skip(1).take(32) {
        if is_repository_root(ancestor) {
            // A folder under the enclosing repository's tests or examples
            // is sample material of that project, built (or not) by it.
            let inner = crate::walk::relative(ancestor, &root);
            if crate::roles::path::is_non_product_path(&format!("{inner}/x")) {
                return Repository::Unknown;
            }
            return if CI_PATHS.iter().any(|p| ancestor.join(p).exists()) {
                Repository::EnclosingHasCi
            } else {
                Repository::EnclosingWithoutCi
            };
        }
    }
    Repository::Unknown
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    if cx.apps.is_empty() || !cx.index.of_kind(FileKind::CiConfig).is_empty() {
        return Vec::new();
    }
    match repository(&cx.index.root) {
        Repository::AtRoot | Repository::EnclosingWithoutCi => {}
        Repository::EnclosingHasCi | Repository::Unknown => return Vec::new(),
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
