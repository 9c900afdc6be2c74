//! nextjs-image-not-standalone: a Next.js image that ships the whole
//! `node_modules` because next.config does not set `output: 'standalone'`.

use crate::facts::shell::ShellScript;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::FileKind;
use crate::rules::containerization::dockerfiles::{self, chain, command_words, copy_parts};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};
use crate::stack::Framework;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "nextjs-image-not-standalone",
        code: "SW106",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Next.js image without standalone output",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Finds production Dockerfiles that build a Next.js app (`next build`, or the
app's `build` script run through npm, yarn, pnpm, bun or turbo) and run it
from the full install — the image stage copies `node_modules` (or the whole
build context) or starts the server with `next start` / `npm start` — while
the app's next.config does not set `output: 'standalone'` and the Dockerfile
never copies `.next/standalone`. Static exports (`output: 'export'`) are not
reported.

## Why is this bad?
The image carries every installed package, build tools and dev dependencies
included — commonly 1 GB or more where the standalone server needs around
150 MB: slower pulls, slower scale-out and cold starts, and many more
packages to patch when a CVE lands.

## Example
### Reported
```json file=package.json
{ "name": "web", "scripts": { "build": "next build", "start": "next start" }, "dependencies": { "next": "15.1.0", "react": "19.0.0", "react-dom": "19.0.0" } }
```

```js file=next.config.js
module.exports = { reactStrictMode: true };
```

```dockerfile file=Dockerfile
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:22-slim
WORKDIR /app
COPY --from=build /app ./
USER node
CMD ["npm", "start"]
```

### Not reported
```json file=package.json
{ "name": "web", "scripts": { "build": "next build", "start": "next start" }, "dependencies": { "next": "15.1.0", "react": "19.0.0", "react-dom": "19.0.0" } }
```

```js file=next.config.js
module.exports = { output: "standalone" };
```

```dockerfile file=Dockerfile
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:22-slim
WORKDIR /app
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
COPY --from=build /app/public ./public
USER node
CMD ["node", "server.js"]
```

## Fix
Set `output: 'standalone'` in next.config, then copy `.next/standalone`,
`.next/static` and `public/` into a slim runtime stage and run
`node server.js` (with `HOSTNAME=0.0.0.0`) instead of `next start`.
"#;

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for target in dockerfiles::production_dockerfiles(cx) {
        let Some(app) = target.app else { continue };
        if app.framework() != Framework::NextJs {
            continue;
        }
        let file = target.file;
        // next.config: standalone anywhere in it (also conditional forms)
        // or a static export means nothing to report.
        let configs: Vec<_> = cx
            .in_dir(FileKind::FrameworkConfig, app.dir())
            .into_iter()
            .filter(|id| cx.index.get(*id).name().starts_with("next.config."))
            .collect();
        let mut config_line = None;
        let mut settled = false;
        for id in &configs {
            if let Some(js) = cx.facts.js(*id) {
                if let Some((value, _)) = js.property("output") {
                    if value == "export" || value == "standalone" {
                        settled = true;
                    }
                }
            }
            let text = cx.facts.raw_text_capped(*id, 1 << 20).unwrap_or_default();
            if text.contains("standalone") {
                settled = true;
            }
            config_line.get_or_insert(*id);
        }
        if settled {
            continue;
        }
        let all = || file.stages.iter().flat_map(|s| s.instructions.iter());
        if all().any(|i| i.args.contains(".next/standalone")) {
            continue;
        }
        // `npm run build`, `yarn web:build`: builds Next.js when the script
        // it runs (the app's, or the context root's) does.
        let scripts: Vec<&std::collections::BTreeMap<String, String>> = [
            Some(app.manifest),
            cx.index.find(&target.in_context("package.json")),
        ]
        .into_iter()
        .flatten()
        .filter_map(|id| cx.facts.package_json(id))
        .map(|p| &p.scripts)
        .collect();
        let app_name = app.name.as_deref().unwrap_or("\u{0}");
        let script_builds_next = |name: &str| {
            scripts.iter().any(|s| {
                s.get(name).is_some_and(|body| {
                    body.contains("next build")
                        || (body.contains("build")
                            && (body.contains(app_name) || body.contains(&app.path)))
                })
            })
        };
        let builds = all().filter(|i| i.keyword == "RUN").any(|i| {
            let text = match &i.exec_form {
                Some(words) => words.join(" "),
                None if !i.heredocs.is_empty() => i
                    .heredocs
                    .iter()
                    .map(|h| h.body.as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                None => i.args.clone(),
            };
            let Ok(script) = ShellScript::parse_line(&text) else {
                return false;
            };
            script.commands.iter().any(|cmd| {
                let positional: Vec<&str> = cmd
                    .args
                    .iter()
                    .map(String::as_str)
                    .filter(|a| !a.starts_with('-'))
                    .collect();
                let name = cmd.name.rsplit('/').next().unwrap_or(&cmd.name);
                match (name, positional.as_slice()) {
                    ("next", ["build", ..]) | ("npx", ["next", "build", ..]) => true,
                    ("npx" | "pnpx" | "bunx" | "pnpm" | "yarn", ["turbo", "run", script, ..])
                    | ("npx" | "pnpx" | "bunx" | "pnpm" | "yarn", ["turbo", script, ..])
                    | ("npm" | "yarn" | "pnpm" | "bun" | "turbo", ["run", script, ..])
                    | ("yarn" | "pnpm" | "turbo", [script, ..]) => script_builds_next(script),
                    _ => false,
                }
            })
        });
        if !builds {
            continue;
        }
        let image = target.image_stage;
        let image_chain = chain(file, image);
        let ships_modules = image_chain.iter().find_map(|i| {
            file.stages[*i]
                .instructions
                .iter()
                .filter(|c| c.keyword == "COPY" || c.keyword == "ADD")
                .find(|c| {
                    let (sources, _) = copy_parts(c);
                    sources.iter().any(|s| s.contains("node_modules"))
                        || (c.flag("from").is_none()
                            && sources.iter().any(|s| matches!(s.as_str(), "." | "./")))
                        || (c.flag("from").is_some() && sources.iter().any(|s| is_app_folder(s)))
                })
                .map(|c| c.line)
        });
        // The image runs only the Next.js server from the install: `next
        // start`, or the package manager's `start` when the app's start
        // script is `next start`. A custom server or other processes beside
        // it (a worker, migrations) need `node_modules` anyway.
        let start_is_next = cx
            .facts
            .package_json(app.manifest)
            .and_then(|p| p.scripts.get("start"))
            .is_some_and(|s| s.trim().starts_with("next start"));
        let words: Vec<String> = command_words(file, image)
            .iter()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .collect();
        let w: Vec<&str> = words.iter().map(String::as_str).collect();
        let bin = |x: &str| x.rsplit('/').next().unwrap_or(x).to_string();
        let starts = match w.as_slice() {
            [first, "start", ..] if bin(first) == "next" => true,
            ["npx", "next", "start", ..] => true,
            [pm, "start", ..] | [pm, "run", "start", ..]
                if matches!(*pm, "npm" | "yarn" | "pnpm" | "bun") =>
            {
                start_is_next
            }
            _ => false,
        };
        if !starts {
            continue;
        }
        let cmd_line = image_chain.iter().find_map(|i| {
            file.stages[*i]
                .instructions
                .iter()
                .rev()
                .find(|c| c.keyword == "CMD" || c.keyword == "ENTRYPOINT")
                .map(|c| c.line)
        });
        let line = ships_modules
            .or(cmd_line)
            .unwrap_or(file.stages[image].from.line);
        let how = "runs it from the full install (`next start`)";
        let mut locations = vec![Location::new(target.rel, line)];
        let config = match config_line {
            Some(id) => {
                let rel = &cx.index.get(id).rel;
                locations.push(Location::new(rel.clone(), 1));
                format!("{} does not set `output: 'standalone'`", code(rel))
            }
            None => "the app has no next.config, so `output: 'standalone'` is not set".to_string(),
        };
        out.push(RULE.meta.finding(
            Some(app),
            format!(
                "{} builds the Next.js app and {how} (line {line}); {config}: the image ships the whole `node_modules`.",
                code(target.rel)
            ),
            "The image carries every installed package, build tools and dev dependencies included — often 1 GB or more where the standalone server needs about 150 MB: slower pulls, scale-out and cold starts, and more packages to patch for each CVE.".to_string(),
            "Set `output: 'standalone'` in next.config, copy `.next/standalone`, `.next/static` and `public/` into a slim runtime stage, and run `node server.js` (with `HOSTNAME=0.0.0.0`) instead of `next start`.".to_string(),
            locations,
        ));
    }
    out
}

/// Whether a `COPY --from` source looks like the whole app folder of the
/// build stage (`/app`, `/repo`, `.`) rather than one of its outputs or a file.
fn is_app_folder(src: &str) -> bool {
    let trimmed = src.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    matches!(last, "" | ".")
        || (!last.contains('.')
            && !last.contains('*')
            && !matches!(
                last,
                "dist" | "build" | "out" | "standalone" | "static" | "public" | "prisma" | "bin"
            ))
}
