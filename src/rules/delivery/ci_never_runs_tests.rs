//! ci-never-runs-tests: CI pipelines exist, the app has tests, and no
//! pipeline runs them.

use crate::apps::App;
use crate::facts::ci::{CiStep, StepKind};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};
use crate::stack::Ecosystem;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "ci-never-runs-tests",
        code: "SW212",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "CI never runs the tests",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads every CI pipeline of the repository (GitHub Actions `run:` steps and
`uses:` actions, GitLab `script:`, CircleCI `run:`, Azure, Bitbucket,
Buildkite, Drone, Travis, Cloud Build, CodeBuild and the others; a
Jenkinsfile line by line) and reports when none of them runs the tests while
an app has tests to run: a `test` script in package.json, or test files
(`*.test.ts`, `*.spec.js`, `__tests__/`, `test_*.py`, `*_test.go`,
`*_spec.rb`, `src/test/`, `tests/*Test.php`).

Test commands are recognised across ecosystems: `npm test`, `pnpm test`,
`yarn test`, `bun test`, `npm run test:unit`, jest, vitest, mocha,
playwright, cypress, pytest, `python manage.py test`, tox, nox, `go test`,
`cargo test`/`nextest`, rspec, `rails test`, `rake spec`, phpunit, pest,
`php artisan test`, `mvn test|verify|package|install` (without
`-DskipTests`), `gradle test|check|build` (without `-x test`), `make test`,
`turbo test`, `nx … test`, `dotnet test`, and test-running actions and
orbs. An npm/pnpm/yarn script the pipeline calls is followed into
package.json.

Precision first: nothing is reported when a pipeline runs something
seaworthy cannot see into — a script (`./ci.sh`, `bash scripts/ci`), a make,
just or task target other than install/lint/deploy-like ones, an npm script
that no package.json defines, `docker build`/`docker compose run`, a remote
reusable workflow, a GitLab `include:` — or when a pipeline file cannot be
parsed; nor when the pipelines only run analysis actions (CodeQL, labelers,
stale-issue bots) and ship nothing. An app without tests is not reported here: there is nothing for CI
to run.

## Why is this bad?
A pipeline that builds and deploys without running the tests ships
regressions the tests would have caught; the suite rots because nobody sees
it fail.

## Example
### Reported
```yaml file=.github/workflows/deploy.yml
name: Deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 22 }
      - run: npm ci
      - run: npm run build
      - run: npx vercel deploy --prod --token ${{ secrets.VERCEL_TOKEN }}
```

```json file=package.json
{ "name": "shop", "private": true, "scripts": { "build": "next build", "start": "next start", "test": "vitest run" }, "dependencies": { "next": "15.1.0" } }
```

### Not reported
```yaml file=.github/workflows/ci.yml
name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm run verify
```

```json file=package.json
{ "name": "shop", "private": true, "scripts": { "build": "next build", "start": "next start", "verify": "npm run lint && npm test", "lint": "next lint", "test": "vitest run" }, "dependencies": { "next": "15.1.0" } }
```

## Fix
Add a test step to the pipeline that gates merges and deploys — on GitHub a
`pull_request` workflow with `npm ci && npm test` (or the ecosystem's
equivalent) — and make the deploy job `needs:` it.
"#;

/// What a command does, as far as tests go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    No,
    /// Runs something seaworthy cannot see into: it may run the tests.
    Opaque,
    Tests,
}

/// Programs that run tests wherever they appear in a command.
const TEST_TOOLS: &[&str] = &[
    "ava",
    "behave",
    "bats",
    "c8",
    "codeceptjs",
    "ctest",
    "cucumber",
    "cucumber-js",
    "gotestsum",
    "ginkgo",
    "jasmine",
    "jest",
    "karma",
    "mocha",
    "nextest",
    "nox",
    "nyc",
    "paratest",
    "pest",
    "phpunit",
    "py.test",
    "pytest",
    "rspec",
    "tape",
    "testcafe",
    "tox",
    "uvu",
    "vitest",
    "wdio",
];

/// Words that name tests in script names, targets and tasks
/// (`test:unit`, `run-tests.sh`, `e2e`).
const TEST_WORDS: &[&str] = &["test", "tests", "spec", "specs", "e2e", "unittest", "t"];

/// Make/just/task targets that never run tests.
const NON_TEST_TARGETS: &[&str] = &[
    "bootstrap",
    "clean",
    "deploy",
    "deps",
    "docker",
    "down",
    "fmt",
    "format",
    "install",
    "lint",
    "migrate",
    "publish",
    "push",
    "release",
    "setup",
    "up",
];

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn has_test_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let stem = lower
        .rsplit('/')
        .next()
        .unwrap_or(&lower)
        .trim_end_matches(".sh");
    stem.split([':', '-', '_', '.'])
        .any(|w| TEST_WORDS.contains(&w) && w != "t")
}

/// Shell-like words of one command segment, quotes removed.
fn words(segment: &str) -> Vec<String> {
    segment
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c| c == '"' || c == '\'' || c == '(' || c == ')')
                .to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Segments of a step: lines (continuations joined) split at `&&`, `||`,
/// `;` and `|`.
fn segments(text: &str) -> Vec<String> {
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .flat_map(|line| {
            line.split("&&")
                .flat_map(|p| p.split("||"))
                .flat_map(|p| p.split(';'))
                .flat_map(|p| p.split('|'))
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .collect()
}

struct Scripts<'a> {
    /// Every package.json script in the repository: (name, command).
    all: Vec<(&'a str, &'a str)>,
    /// Whether a Dockerfile of the repository runs tests while building
    /// (`RUN npm test` in a test stage): building the image tests.
    dockerfile_tests: bool,
    /// Verdicts of script names already judged, by depth: every
    /// Dockerfile's and step's `npm run build` asks about the same name,
    /// and each answer reads the scripts of every package of the
    /// repository (apps × packages on a monorepo of services).
    judged: std::cell::RefCell<std::collections::HashMap<(String, u32), Verdict>>,
}

impl<'a> Scripts<'a> {
    fn new(all: Vec<(&'a str, &'a str)>) -> Self {
        Scripts {
            all,
            dockerfile_tests: false,
            judged: Default::default(),
        }
    }

    fn verdict(&self, name: &str, depth: u32) -> Verdict {
        if has_test_word(name) || name == "test" {
            return Verdict::Tests;
        }
        let key = (name.to_string(), depth);
        if let Some(v) = self.judged.borrow().get(&key) {
            return *v;
        }
        let verdict = self.judge(name, depth);
        self.judged.borrow_mut().insert(key, verdict);
        verdict
    }

    fn judge(&self, name: &str, depth: u32) -> Verdict {
        let bodies: Vec<&str> = self
            .all
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, c)| *c)
            .collect();
        if bodies.is_empty() {
            return Verdict::Opaque;
        }
        if depth > 4 {
            return Verdict::Opaque;
        }
        bodies
            .iter()
            .map(|b| command_verdict(b, self, depth + 1))
            .max()
            .unwrap_or(Verdict::No)
    }
}

const PACKAGE_MANAGERS: &[&str] = &["npm", "pnpm", "yarn", "bun"];
/// Package-manager commands that are not scripts (`pnpm install`).
const PM_BUILTINS: &[&str] = &[
    "add",
    "audit",
    "ci",
    "config",
    "dedupe",
    "dlx",
    "exec",
    "i",
    "install",
    "link",
    "outdated",
    "pack",
    "prune",
    "publish",
    "rebuild",
    "remove",
    "set",
    "store",
    "up",
    "update",
    "version",
    "view",
    "why",
    "x",
    "info",
    "cache",
    "login",
    "whoami",
    "deploy",
    "fetch",
    "import",
    "init",
    "create",
    "list",
    "ls",
    "run-script",
    "uninstall",
    "upgrade",
    "workspaces",
    "approve-builds",
];

fn segment_verdict(segment: &str, scripts: &Scripts, depth: u32) -> Verdict {
    let mut w = words(segment);
    // `gradle build -x test`: the excluded task is not run.
    let mut excludes_test = false;
    while let Some(i) = w.iter().position(|x| x == "-x" || x == "--exclude-task") {
        if i + 1 < w.len() {
            excludes_test |= w[i + 1].rsplit(':').next() == Some("test");
            w.remove(i + 1);
        }
        w.remove(i);
    }
    // Leading assignments and wrappers.
    while let Some(first) = w.first() {
        let wrapper = matches!(
            first.as_str(),
            "sudo" | "time" | "env" | "exec" | "command" | "xvfb-run" | "timeout" | "nohup" | "-"
        ) || (first.contains('=') && !first.starts_with('-'))
            || first.parse::<f64>().is_ok();
        // `bundle exec rake`, `poetry run pytest`, `uv run …`
        let runner = matches!(
            first.as_str(),
            "bundle" | "poetry" | "uv" | "pipenv" | "pdm" | "rye" | "hatch"
        ) && w.get(1).is_some_and(|s| s == "exec" || s == "run");
        if runner {
            w.drain(..2);
            continue;
        }
        if !wrapper {
            break;
        }
        w.remove(0);
    }
    let Some(first) = w.first() else {
        return Verdict::No;
    };
    let lower: Vec<String> = w.iter().map(|x| x.to_ascii_lowercase()).collect();
    let has = |word: &str| lower.iter().any(|x| x == word);
    let after = |tool: &str, sub: &[&str]| {
        lower
            .iter()
            .position(|x| basename(x) == tool)
            .is_some_and(|i| lower[i + 1..].iter().any(|x| sub.contains(&x.as_str())))
    };
    if lower.iter().any(|x| TEST_TOOLS.contains(&basename(x))) {
        return Verdict::Tests;
    }
    if after("go", &["test"])
        || after("cargo", &["test", "nextest", "tarpaulin", "llvm-cov"])
        || after("dotnet", &["test"])
        || after("mix", &["test"])
        || after("swift", &["test"])
        || after("deno", &["test"])
        || after("flutter", &["test"])
        || after("rails", &["test", "spec"])
        || after("rake", &["test", "spec"])
        || after("manage.py", &["test"])
        || after("artisan", &["test"])
        || after("playwright", &["test"])
        || after("cypress", &["run"])
        || after("sbt", &["test"])
        || after("bazel", &["test"])
        || after("pants", &["test"])
        || (has("python") || has("python3")) && (has("unittest") || has("pytest"))
        || has("--test") && lower.iter().any(|x| basename(x) == "node")
    {
        return Verdict::Tests;
    }
    for tool in ["mvn", "mvnw", "./mvnw"] {
        if lower.iter().any(|x| basename(x) == tool) {
            let skips = lower
                .iter()
                .any(|x| x.contains("skiptests") || x.contains("maven.test.skip=true"));
            let phase = lower.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "test" | "verify" | "package" | "install" | "deploy"
                )
            });
            return if phase && !skips {
                Verdict::Tests
            } else {
                Verdict::No
            };
        }
    }
    if lower
        .iter()
        .any(|x| basename(x) == "gradle" || basename(x) == "gradlew")
    {
        let runs = lower.iter().any(|x| {
            let task = x.rsplit(':').next().unwrap_or(x);
            matches!(task, "test" | "check" | "build") || task.ends_with("test")
        }) && !excludes_test;
        return if runs { Verdict::Tests } else { Verdict::No };
    }
    // Package managers: `npm test`, `pnpm run test:ci`, `yarn workspace x test`.
    let first_base = basename(first).to_ascii_lowercase();
    if PACKAGE_MANAGERS.contains(&first_base.as_str())
        || first_base == "npx"
        || first_base == "bunx"
    {
        if first_base == "npx" || first_base == "bunx" {
            // `npx jest` is caught above; `npx some-tool` is not a test.
            return if lower.iter().skip(1).any(|x| has_test_word(x)) {
                Verdict::Tests
            } else {
                Verdict::No
            };
        }
        // Arguments, without flags and the values of flags that take one
        // (`--filter web`, `-w api`, `--prefix apps/web`).
        let mut args: Vec<&String> = Vec::new();
        let mut skip_next = false;
        for a in &w[1..] {
            if skip_next {
                skip_next = false;
                continue;
            }
            if a.starts_with('-') {
                skip_next = !a.contains('=')
                    && matches!(
                        a.as_str(),
                        "--filter"
                            | "-F"
                            | "--workspace"
                            | "-w"
                            | "--cwd"
                            | "--dir"
                            | "-C"
                            | "--prefix"
                    );
                continue;
            }
            args.push(a);
        }
        let mut verdict = Verdict::No;
        let mut candidates: Vec<&str> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let a = a.as_str();
            if a == "run" || a == "run-script" || a == "workspace" || a == "workspaces" {
                continue;
            }
            if i > 0 && args[i - 1].as_str() == "workspace" {
                continue;
            }
            candidates.push(a);
        }
        for (i, c) in candidates.iter().enumerate() {
            if *c == "t" || *c == "test" || has_test_word(c) {
                return Verdict::Tests;
            }
            if i == 0 && PM_BUILTINS.contains(c) {
                if matches!(*c, "exec" | "dlx" | "x") {
                    // `pnpm exec vitest` is caught above.
                    return Verdict::No;
                }
                return Verdict::No;
            }
            if i == 0 {
                verdict = verdict.max(scripts.verdict(c, depth));
            }
        }
        return verdict;
    }
    if matches!(
        first_base.as_str(),
        "turbo" | "nx" | "lerna" | "moon" | "rush"
    ) {
        return if lower
            .iter()
            .skip(1)
            .any(|x| has_test_word(x) || x == "--target=test" || x.ends_with(":test"))
        {
            Verdict::Tests
        } else {
            Verdict::No
        };
    }
    if matches!(
        first_base.as_str(),
        "make" | "just" | "task" | "mage" | "invoke" | "inv"
    ) {
        let targets: Vec<&String> = lower[1..]
            .iter()
            .filter(|x| !x.starts_with('-') && !x.contains('='))
            .collect();
        if targets.iter().any(|t| has_test_word(t) || *t == "check") {
            return Verdict::Tests;
        }
        if !targets.is_empty()
            && targets
                .iter()
                .all(|t| NON_TEST_TARGETS.contains(&t.as_str()))
        {
            return Verdict::No;
        }
        return Verdict::Opaque;
    }
    if lower.iter().any(|x| has_test_word(x)) {
        return Verdict::Tests;
    }
    // `python -m pip install …`: a module that is not a test runner.
    if matches!(first_base.as_str(), "python" | "python3" | "py") && has("-m") {
        return Verdict::No;
    }
    // Framework CLIs and setup scripts, also as `bin/rails`.
    if matches!(
        first_base.as_str(),
        "rails"
            | "bundle"
            | "setup"
            | "dev"
            | "rubocop"
            | "brakeman"
            | "importmap"
            | "composer"
            | "kamal"
            | "bundler-audit"
    ) || (matches!(first_base.as_str(), "php" | "python" | "python3")
        && w.get(1).is_some_and(|f| {
            matches!(
                basename(f),
                "artisan" | "manage.py" | "setup.py" | "console"
            )
        }))
    {
        return Verdict::No;
    }
    if first_base == "rake" && w.len() == 1 {
        // The default Rake task usually runs the tests.
        return Verdict::Opaque;
    }
    if first_base == "docker" || first_base == "podman" || first_base == "docker-compose" {
        let builds = lower.iter().any(|x| matches!(x.as_str(), "build" | "bake"));
        return if builds && scripts.dockerfile_tests {
            Verdict::Tests
        } else {
            Verdict::No
        };
    }
    // Scripts and build tools seaworthy cannot see into.
    let script_like = first.contains('/')
        || [
            ".sh", ".bash", ".py", ".rb", ".js", ".mjs", ".ts", ".ps1", ".pl",
        ]
        .iter()
        .any(|e| first.ends_with(e));
    let interpreter_with_file = matches!(
        first_base.as_str(),
        "bash"
            | "sh"
            | "zsh"
            | "python"
            | "python3"
            | "node"
            | "ruby"
            | "php"
            | "pwsh"
            | "powershell"
            | "tsx"
            | "ts-node"
            | "perl"
    ) && w.iter().skip(1).any(|a| !a.starts_with('-'));
    let container = matches!(
        first_base.as_str(),
        "earthly" | "dagger" | "nix" | "please" | "act"
    );
    if script_like || interpreter_with_file || container {
        return Verdict::Opaque;
    }
    Verdict::No
}

fn command_verdict(text: &str, scripts: &Scripts, depth: u32) -> Verdict {
    segments(text)
        .iter()
        .map(|s| segment_verdict(s, scripts, depth))
        .max()
        .unwrap_or(Verdict::No)
}

/// Action-name words of test-running actions and orbs.
const TEST_ACTION_WORDS: &[&str] = &[
    "codecov",
    "coveralls",
    "coverage",
    "cypress",
    "e2e",
    "playwright",
    "pytest",
    "spec",
    "test",
    "tests",
    "maven@",
    "gradle@",
];

fn uses_verdict(text: &str, scripts: &Scripts) -> Verdict {
    let lower = text.to_ascii_lowercase();
    // Local actions and workflows are read as files of their own.
    if lower.starts_with("./") || lower.starts_with(".github/") {
        return Verdict::No;
    }
    if lower.contains(".github/workflows/") || lower.starts_with("docker://") {
        return Verdict::Opaque;
    }
    // GitLab `include:` of a template, project file or remote URL.
    if (lower.ends_with(".yml") || lower.ends_with(".yaml") || lower.starts_with("http"))
        && !lower.contains('@')
    {
        return Verdict::Opaque;
    }
    let name = lower.split('@').next().unwrap_or(&lower);
    if name.ends_with("build-push-action") || name.ends_with("bake-action") {
        return if scripts.dockerfile_tests {
            Verdict::Tests
        } else {
            Verdict::No
        };
    }
    let words_hit = name
        .split(['/', '-', '_', '.'])
        .any(|w| TEST_ACTION_WORDS.contains(&w))
        || lower.starts_with("maven@")
        || lower.starts_with("gradle@");
    if words_hit {
        Verdict::Tests
    } else {
        Verdict::No
    }
}

fn step_verdict(step: &CiStep, scripts: &Scripts) -> Verdict {
    match step.kind {
        StepKind::Run | StepKind::Input => command_verdict(&step.text, scripts, 0),
        StepKind::Uses => uses_verdict(&step.text, scripts),
    }
}

/// Evidence that an app has tests to run: its test script or a test file.
fn test_evidence(cx: &RepoContext, app: &App) -> Option<(Location, String)> {
    if let Some(pkg) = cx.facts.package_json(app.manifest) {
        if let Some((name, script)) = pkg
            .scripts
            .iter()
            .find(|(n, _)| n.as_str() == "test" || n.starts_with("test:"))
        {
            let placeholder = script.contains("no test specified")
                || script.trim() == "exit 0"
                || script.trim_start().starts_with("echo");
            if !placeholder {
                return Some((
                    Location::new(cx.rel(app.manifest), pkg.line_of_key(name)),
                    format!("a {} script ({})", code(name), code(script)),
                ));
            }
        }
    }
    let is_test_file = |rel: &str, name: &str| -> bool {
        let lower = name.to_ascii_lowercase();
        match app.ecosystem {
            Ecosystem::Node => {
                let js = ["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"]
                    .iter()
                    .any(|e| lower.ends_with(&format!(".{e}")));
                js && (lower.contains(".test.")
                    || lower.contains(".spec.")
                    || rel.contains("/__tests__/"))
            }
            Ecosystem::Python => {
                lower.ends_with(".py")
                    && (lower.starts_with("test_")
                        || lower.ends_with("_test.py")
                        || lower == "tests.py")
            }
            Ecosystem::Ruby => lower.ends_with("_spec.rb") || lower.ends_with("_test.rb"),
            Ecosystem::Go => lower.ends_with("_test.go"),
            Ecosystem::Java => {
                rel.contains("src/test/")
                    && (lower.ends_with(".java")
                        || lower.ends_with(".kt")
                        || lower.ends_with(".groovy"))
            }
            Ecosystem::Php => name.ends_with("Test.php"),
            Ecosystem::Rust => rel.contains("/tests/") && lower.ends_with(".rs"),
            Ecosystem::Dotnet => lower.ends_with("tests.cs") || lower.ends_with("test.cs"),
            Ecosystem::Elixir => lower.ends_with("_test.exs"),
        }
    };
    cx.index
        .under(app.dir())
        .iter()
        .find(|f| {
            let rel = format!("/{}", f.rel);
            is_test_file(&rel, f.name())
                && !rel.contains("/node_modules/")
                && !rel.contains("/fixtures/")
                && !rel.contains("/examples/")
        })
        .map(|f| {
            (
                Location::new(f.rel.clone(), 1),
                format!("test files such as {}", code(&f.rel)),
            )
        })
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    // Pipelines of templates and examples (`{{cookiecutter.slug}}/.github`)
    // are not this repository's.
    let pipelines: Vec<FileId> = cx
        .index
        .of_kind(FileKind::CiConfig)
        .iter()
        .copied()
        .filter(|id| !crate::roles::path::is_non_product_path(cx.rel(*id)))
        .collect();
    if pipelines.is_empty() || cx.apps.is_empty() {
        return Vec::new();
    }
    let all_scripts: Vec<(&str, &str)> = cx
        .index
        .of_kind(FileKind::PackageJson)
        .iter()
        .filter_map(|id| cx.facts.package_json(*id))
        .flat_map(|p| p.scripts.iter().map(|(n, c)| (n.as_str(), c.as_str())))
        .collect();
    let mut scripts = Scripts::new(all_scripts);
    scripts.dockerfile_tests = cx.index.of_kind(FileKind::Dockerfile).iter().any(|id| {
        cx.facts.dockerfile(*id).is_some_and(|d| {
            d.stages.iter().any(|st| {
                st.all("RUN")
                    .any(|i| command_verdict(&i.args, &scripts, 0) == Verdict::Tests)
            })
        })
    });
    // Verdicts judged before it was known whether an image build tests
    // may change with it.
    scripts.judged.get_mut().clear();
    let mut first_steps: Vec<Location> = Vec::new();
    let mut ships = false;
    for id in &pipelines {
        let Some(pipeline) = cx.facts.ci_pipeline(*id) else {
            // Unreadable: it may run the tests.
            return Vec::new();
        };
        let mut best = Verdict::No;
        for step in &pipeline.steps {
            best = best.max(step_verdict(step, &scripts));
            if best != Verdict::No {
                return Vec::new();
            }
        }
        // A pipeline that runs commands or builds, releases or deploys
        // something ships code; one that only runs analysis actions
        // (CodeQL, labelers) says nothing about where the tests run.
        ships |= pipeline.steps.iter().any(|s| match s.kind {
            StepKind::Run => true,
            StepKind::Uses => {
                let lower = s.text.to_ascii_lowercase();
                ["build", "deploy", "release", "publish", "push"]
                    .iter()
                    .any(|w| lower.contains(w))
            }
            StepKind::Input => false,
        });
        let line = pipeline.steps.first().map(|s| s.line).unwrap_or(1);
        first_steps.push(Location::new(cx.rel(*id), line));
    }
    if !ships {
        return Vec::new();
    }
    let tested: Vec<(&App, Location, String)> = cx
        .apps
        .iter()
        .filter_map(|a| test_evidence(cx, a).map(|(l, what)| (a, l, what)))
        .collect();
    let Some((first_app, _, what)) = tested.first() else {
        return Vec::new();
    };
    let files: Vec<String> = pipelines
        .iter()
        .take(4)
        .map(|id| code(cx.rel(*id)))
        .collect();
    let more = pipelines.len().saturating_sub(4);
    let app_name = if first_app.path == "." {
        ".".to_string()
    } else {
        first_app.path.clone()
    };
    let others = tested.len() - 1;
    let message = format!(
        "The repository's CI pipeline{} ({}{}) never run{} the tests, while the app {} has {what}{}.",
        if pipelines.len() == 1 { "" } else { "s" },
        files.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() },
        if pipelines.len() == 1 { "s" } else { "" },
        code(&app_name),
        if others > 0 { format!(" (and {others} more app{} with tests)", if others == 1 { "" } else { "s" }) } else { String::new() },
    );
    let mut locations = first_steps;
    locations.extend(tested.iter().map(|(_, l, _)| l.clone()));
    let app = (cx.apps.len() == 1).then(|| &cx.apps[0]);
    vec![RULE.meta.finding(
        app,
        message,
        "Changes are built and shipped without the test suite ever running on them: regressions the tests would catch reach production, and the suite rots unnoticed.".to_string(),
        "Add a test job that runs on every pull request and before deploys (e.g. a GitHub Actions step `npm ci && npm test`, or the ecosystem's equivalent), and make the deploy job depend on it (`needs: test`).".to_string(),
        locations,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(cmd: &str) -> Verdict {
        let scripts = Scripts::new(vec![
            ("verify", "npm run lint && npm test"),
            ("lint", "eslint ."),
            ("build", "next build"),
        ]);
        command_verdict(cmd, &scripts, 0)
    }

    #[test]
    fn recognises_test_commands() {
        for cmd in [
            "npm test",
            "pnpm run test:unit",
            "yarn workspace web test",
            "npm run verify",
            "python manage.py test",
            "poetry run pytest -q",
            "go test ./...",
            "cargo nextest run",
            "bundle exec rspec",
            "./mvnw -B verify",
            "./gradlew build",
            "make test",
            "docker compose run web npm test",
            "CI=true npx jest --ci",
            "pnpm --filter web test",
        ] {
            assert_eq!(v(cmd), Verdict::Tests, "{cmd}");
        }
    }

    #[test]
    fn non_test_and_opaque_commands() {
        for cmd in [
            "npm ci",
            "npm run build",
            "npm run lint",
            "mvn -B package -DskipTests",
            "./gradlew build -x test",
            "make deploy",
            "npx vercel deploy --prod",
            "echo done",
            "cargo check",
        ] {
            assert_eq!(v(cmd), Verdict::No, "{cmd}");
        }
        for cmd in [
            "python -m pip install -r requirements.txt",
            "bin/rails db:prepare",
            "php artisan migrate --force",
            "docker build -t app .",
            "pnpm --filter web build",
        ] {
            assert_eq!(v(cmd), Verdict::No, "{cmd}");
        }
        for cmd in [
            "./scripts/ci.sh",
            "bash scripts/verify",
            "make",
            "npm run unknown-script",
            "bundle exec rake",
        ] {
            assert_eq!(v(cmd), Verdict::Opaque, "{cmd}");
        }
        let scripts = Scripts::new(Vec::new());
        assert_eq!(uses_verdict("actions/checkout@v4", &scripts), Verdict::No);
        assert_eq!(
            uses_verdict("cypress-io/github-action@v6", &scripts),
            Verdict::Tests
        );
        assert_eq!(
            uses_verdict("acme/shared/.github/workflows/ci.yml@main", &scripts),
            Verdict::Opaque
        );
        assert_eq!(
            uses_verdict("./.github/workflows/test.yml", &scripts),
            Verdict::No
        );
        assert_eq!(
            uses_verdict("docker/build-push-action@v6", &scripts),
            Verdict::No
        );
    }
}
