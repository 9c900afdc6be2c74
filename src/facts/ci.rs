//! CI/CD pipeline definitions, as far as rules need them: the shell
//! commands a pipeline runs and the actions or reusable workflows it calls.
//!
//! YAML pipelines (GitHub Actions, GitLab, CircleCI, Azure, Bitbucket,
//! Buildkite, Drone, Woodpecker, Travis, Cloud Build, CodeBuild, Semaphore,
//! Tekton, AppVeyor, Cirrus) are parsed with yaml-rust2 and walked for the
//! keys that hold commands; a Jenkinsfile (Groovy) is read line by line.

use yaml_rust2::Yaml;

/// What a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A shell command (`run:`, `script:`, `commands:`, `sh '…'`).
    Run,
    /// An action, orb, task or reusable workflow (`uses:`, `task:`).
    Uses,
    /// An input of an action (`with:`), as the action's name followed by
    /// the value: `cargo test` for actions-rs/cargo's `command: test`.
    Input,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiStep {
    pub kind: StepKind,
    pub text: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct CiPipeline {
    pub steps: Vec<CiStep>,
    /// A job runs on a self-hosted runner (`runs-on: self-hosted`, or a
    /// label list with it): its commands run on a machine of the team's.
    pub self_hosted: bool,
    /// The image builds of `docker/build-push-action` steps, with their
    /// `file:` and `context:` inputs as written.
    pub image_builds: Vec<ImageBuild>,
}

/// A `docker/build-push-action` step. Without `context:` the action builds
/// from the Git context (the repository at the workflow's ref, fetched by
/// BuildKit): no `.git` folder and no untracked file enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBuild {
    pub file: Option<String>,
    pub context: Option<String>,
    pub line: u32,
}

/// Keys whose string (or list of strings) values are shell commands.
const RUN_KEYS: &[&str] = &[
    "after_script",
    "args",
    "bash",
    "before_install",
    "before_script",
    "build_script",
    "command",
    "commands",
    "entrypoint",
    "install",
    "powershell",
    "pwsh",
    "run",
    "script",
    "test_script",
];

/// Keys whose values name an action or task.
const USES_KEYS: &[&str] = &[
    "uses", "task", "template", "orb", "include", "remote", "project",
];

impl CiPipeline {
    pub fn parse(file_name: &str, text: &str) -> Result<CiPipeline, String> {
        let lower = file_name.to_ascii_lowercase();
        if lower.starts_with("jenkinsfile") {
            return Ok(CiPipeline::from_lines(text));
        }
        let docs = super::yaml::load(text)?;
        let mut out = CiPipeline::default();
        let mut cursor = Cursor::new(text);
        for doc in &docs {
            walk(doc, None, &mut out, &mut cursor, 0);
        }
        out.self_hosted = text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("runs-on:") && l.contains("self-hosted")
        }) || text.contains("- self-hosted");
        Ok(out)
    }

    /// A pipeline written in a language seaworthy does not parse: each
    /// line outside `//` comments is taken as a possible command.
    fn from_lines(text: &str) -> CiPipeline {
        let steps = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| {
                let l = l.trim();
                (!l.is_empty() && !l.starts_with("//") && !l.starts_with('*')).then(|| CiStep {
                    kind: StepKind::Run,
                    text: l.to_string(),
                    line: i as u32 + 1,
                })
            })
            .collect();
        CiPipeline {
            steps,
            ..CiPipeline::default()
        }
    }
}

/// Finds the lines of values in the text, in document order.
struct Cursor<'a> {
    text: &'a str,
    /// Byte offset of each line's start: a search resumes where the last
    /// step was found without counting lines from the top again (which
    /// made a CI file with thousands of steps quadratic).
    line_starts: Vec<usize>,
    line: u32,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .filter(|start| *start < text.len())
            .collect();
        Cursor {
            text,
            line_starts,
            line: 1,
        }
    }

    fn locate(&mut self, value: &str) -> u32 {
        let needle = value.lines().map(str::trim).find(|l| !l.is_empty());
        let Some(needle) = needle else {
            return self.line;
        };
        // The needle is one trimmed line: a match never spans lines, and
        // the first match after a line's start is in the first line that
        // contains it.
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let find_from = |from: u32| {
            let first = from.saturating_sub(1) as usize;
            let start = *self.line_starts.get(first)?;
            let at = start + finder.find(&self.text.as_bytes()[start..])?;
            Some(self.line_starts.partition_point(|s| *s <= at) as u32)
        };
        if let Some(line) = find_from(self.line).or_else(|| find_from(1)) {
            self.line = line;
        }
        self.line
    }
}

fn push(out: &mut CiPipeline, cursor: &mut Cursor, kind: StepKind, text: &str) {
    let line = cursor.locate(text);
    out.steps.push(CiStep {
        kind,
        text: text.to_string(),
        line,
    });
}

fn walk(node: &Yaml, key: Option<&str>, out: &mut CiPipeline, cursor: &mut Cursor, depth: usize) {
    if depth > 64 {
        return;
    }
    let is_run = key.is_some_and(|k| RUN_KEYS.contains(&k));
    let is_uses = key.is_some_and(|k| USES_KEYS.contains(&k));
    match node {
        Yaml::String(s) if is_run => push(out, cursor, StepKind::Run, s),
        Yaml::String(s) if is_uses => push(out, cursor, StepKind::Uses, s),
        // CircleCI workflows list orb jobs by name (`- node/test`).
        Yaml::String(s) if key == Some("jobs") && s.contains('/') => {
            push(out, cursor, StepKind::Uses, s)
        }
        Yaml::Array(items) => {
            for item in items {
                match item {
                    Yaml::String(s) if is_run => push(out, cursor, StepKind::Run, s),
                    Yaml::String(s) if is_uses => push(out, cursor, StepKind::Uses, s),
                    Yaml::String(s) if key == Some("jobs") && s.contains('/') => {
                        push(out, cursor, StepKind::Uses, s)
                    }
                    // Cloud Build/Tekton `args: [...]`: one command.
                    other => walk(other, key, out, cursor, depth + 1),
                }
            }
        }
        Yaml::Hash(map) => {
            // A GitHub step's `with:` inputs can be commands (`command:
            // test` for actions-rs/cargo, `run:` for retry actions): they
            // are read as the action's name followed by each value.
            let action = map
                .get(&Yaml::String("uses".into()))
                .and_then(Yaml::as_str)
                .map(|u| {
                    let name = u.split('@').next().unwrap_or(u);
                    name.rsplit('/').next().unwrap_or(name).to_string()
                });
            for (k, v) in map {
                let k = k.as_str();
                if let (Some(action), Some("with")) = (&action, k) {
                    if let (Yaml::Hash(inputs), "build-push-action") = (v, action.as_str()) {
                        let input = |name: &str| {
                            inputs
                                .get(&Yaml::String(name.into()))
                                .and_then(Yaml::as_str)
                                .map(str::to_string)
                        };
                        let line = cursor.line;
                        out.image_builds.push(ImageBuild {
                            file: input("file"),
                            context: input("context"),
                            line,
                        });
                    }
                    if let Yaml::Hash(inputs) = v {
                        for value in inputs.values() {
                            if let Some(s) = value.as_str() {
                                push(out, cursor, StepKind::Input, &format!("{action} {s}"));
                            }
                        }
                    }
                    continue;
                }
                walk(v, k, out, cursor, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_github_actions_steps() {
        let text = "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: |\n          npm run lint\n          npm test\n      - uses: actions-rs/cargo@v1\n        with:\n          command: test\n";
        let ci = CiPipeline::parse("ci.yml", text).expect("parses");
        let steps: Vec<(StepKind, &str, u32)> = ci
            .steps
            .iter()
            .map(|s| (s.kind, s.text.as_str(), s.line))
            .collect();
        assert_eq!(
            steps,
            [
                (StepKind::Uses, "actions/checkout@v4", 7),
                (StepKind::Run, "npm ci", 8),
                (StepKind::Run, "npm run lint\nnpm test\n", 10),
                (StepKind::Uses, "actions-rs/cargo@v1", 12),
                (StepKind::Input, "cargo test", 12),
            ]
        );
    }

    #[test]
    fn reads_gitlab_scripts() {
        let text =
            "stages: [test]\nunit:\n  image: node:22\n  script:\n    - npm ci\n    - npm test\n";
        let ci = CiPipeline::parse(".gitlab-ci.yml", text).expect("parses");
        let texts: Vec<&str> = ci.steps.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["npm ci", "npm test"]);
        assert_eq!(ci.steps[1].line, 6);
    }
}
