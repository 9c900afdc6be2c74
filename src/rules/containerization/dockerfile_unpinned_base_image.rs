//! dockerfile-unpinned-base-image: `FROM` an image with no tag or `latest`.

use crate::facts::dockerfile::shell_words;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::dockerfile_runs_as_root::split_tag;
use crate::rules::containerization::dockerfiles::{self, stage_named};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-unpinned-base-image",
        code: "SW103",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Unpinned base image",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports `FROM` lines of production Dockerfiles whose image has no tag or the
tag `latest`, and no digest (`@sha256:…`), after substituting build
Every stage counts: a builder stage that floats changes the binaries the final
image ships.

Not reported: `scratch`, references to earlier stages (`FROM base`), an
image or tag that comes from a build argument (`FROM node:${NODE_TAG}`,
`FROM ${BASE_IMAGE}`) — the build is made to pass it, CI often passes a
digest, and the default is only a fallback — development Dockerfiles
(`Dockerfile.dev`, dev containers), and stages nothing uses: a stage that is
neither in the image's chain of `FROM`s nor copied or mounted from
(`COPY --from=`, `RUN --mount=from=`) by one that is, which BuildKit never
builds.

## Why is this bad?
`latest` is whatever the registry points to on the day of the build: a
rebuild for a one-line fix can bring a new major version of Node, Python or
the distribution, break native modules, and make a rollback build differ
from what ran before. Two builds of the same commit are not the same image.

## Example
### Reported
```dockerfile file=Dockerfile
FROM node:latest
WORKDIR /app
COPY . .
RUN npm ci
USER node
CMD ["node", "server.js"]
```

### Not reported
```dockerfile file=Dockerfile
FROM node:22.11-slim
WORKDIR /app
COPY . .
RUN npm ci
USER node
CMD ["node", "server.js"]
```

### Not reported
The tag is a build argument the build passes:

```dockerfile file=Dockerfile
ARG PYTHON_TAG
FROM python:${PYTHON_TAG}
COPY . /app
CMD ["python", "/app/main.py"]
```

## Fix
Pin a version tag (`node:22.11-slim`, `python:3.12-slim`) — better, tag and
digest (`node:22.11-slim@sha256:…`) — and let Renovate or Dependabot propose
updates as reviewed pull requests.
"#;

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for target in dockerfiles::production_dockerfiles(cx) {
        let file = target.file;
        let mut floating: Vec<(String, String, u32)> = Vec::new();
        // Stages nothing builds into the image or copies from do not run.
        let others: Vec<usize> = target.other_stages.iter().map(|(s, _)| *s).collect();
        let used = crate::roles::dockerfile::used_stages(file, target.image_stage, &others);
        for (i, stage) in file.stages.iter().enumerate() {
            if !used.get(i).copied().unwrap_or(true) {
                continue;
            }
            let Some(raw) = shell_words(&stage.from.args).into_iter().next() else {
                continue;
            };
            // An image or tag from a build argument is meant to be passed by
            // the build (CI often passes a digest); its default is a fallback.
            if raw.contains('$') {
                continue;
            }
            let image = raw;
            if image.is_empty()
                || image.eq_ignore_ascii_case("scratch")
                || stage_named(file, i, &image).is_some()
                || image.contains('@')
            {
                continue;
            }
            let (_, tag) = split_tag(&image);
            let state = if tag.is_empty() {
                "no tag"
            } else if tag == "latest" {
                "`latest`"
            } else {
                continue;
            };
            floating.push((image, state.to_string(), stage.from.line));
        }
        if floating.is_empty() {
            continue;
        }
        let list = floating
            .iter()
            .map(|(image, state, line)| format!("{} ({state}, line {line})", code(image)))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "{} builds from {list}: each build pulls whatever the registry points to that day.",
            code(target.rel)
        );
        out.push(RULE.meta.finding(
            target.app,
            message,
            "A rebuild for an unrelated fix can bring a new major version of the runtime or the distribution and break the app; two builds of the same commit differ, so a rollback build is not what ran before.".to_string(),
            "Pin a version tag (`node:22.11-slim`, `python:3.12-slim`), ideally with its digest (`…@sha256:…`), and let Renovate or Dependabot propose updates.".to_string(),
            floating
                .iter()
                .map(|(_, _, line)| Location::new(target.rel, *line))
                .collect(),
        ));
    }
    out
}
