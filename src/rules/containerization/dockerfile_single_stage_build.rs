//! dockerfile-single-stage-build: the image that runs the app is the one
//! that compiled it.

use crate::facts::dockerfile::Instruction;
use crate::facts::shell::{ShellCommand, ShellScript};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::dockerfiles::{self, chain};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-single-stage-build",
        code: "SW108",
        severity: Severity::Low,
        category: Category::ContainerizationDeployment,
        title: "Build toolchain shipped in the image",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports production Dockerfiles whose image stage (or a stage it is built
`FROM`) runs the app's build: `npm run build` / `yarn build` /
`pnpm build` / `bun run build`, `next build`, `nuxt build`, `vite build`,
`tsc`, `nest build`, `ng build`, `turbo build`, `go build`, `cargo build`,
`mvn package`/`./mvnw`, `gradle build`/`./gradlew`, `dotnet publish`. The
build and the runtime are one image.

Not reported: multi-stage builds whose image stage only copies the build
output, Node.js images that drop dev dependencies after the build
(`npm prune --omit=dev`, `npm ci --omit=dev`, `yarn install --production`,
`pnpm prune --prod`), interpreted apps with no build step, and development
Dockerfiles.

## Why is this bad?
Compilers, dev dependencies, caches and the source tree ship to production:
images several times larger (a Go toolchain image is ~800 MB for a 20 MB
binary), slower pulls and scale-out, and many more packages for scanners to
flag and attackers to use.

## Example
### Reported
```dockerfile file=Dockerfile
FROM golang:1.23
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api
USER nobody
CMD ["api"]
```

### Not reported
```dockerfile file=Dockerfile
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /api ./cmd/api

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /api /api
ENTRYPOINT ["/api"]
```

## Fix
Split the Dockerfile: build in a stage with the toolchain, then start a
slim runtime stage (`node:22-slim`, `distroless`, `eclipse-temurin:21-jre`,
`scratch`) and `COPY --from=build` only the output (the binary, the jar,
`dist/` with production dependencies, Next.js `.next/standalone`).

`seaworthy fix --unsafe` splits a single-stage Node.js Dockerfile (npm,
Yarn 1 or pnpm): the original lines become the `build` stage, whose build
step ends with a prune of the dev dependencies (`npm prune --omit=dev`,
`yarn install --production`, `pnpm prune --prod`), and a run stage on the
same base image copies `package.json`, the production `node_modules`, the
folders the build script writes (`next build` → `.next` with `public/` and
the Next config, `tsc` → its `outDir`, `nest build`, `vite build` → `dist`,
`nuxt build` → `.output`), the files the start command names and the Prisma
folder of a Prisma app; the image settings after the build (`EXPOSE`, `ENV`,
`USER`, `CMD`) follow. A named stage keeps its name on the run stage, so a
compose `target:` still builds the image that ships. OS packages installed before the build are installed
in the run stage too, except compilers and build tools. It makes no change
and says why when the Dockerfile has stages already, the base is not a
Node.js image, the build runs a tool whose output folder it cannot read
(webpack, a custom script), a step after the build is more than an image
setting, a `RUN` before it is not an install or a build, the app is a
workspace, or the start command runs a dev dependency (`ts-node`).
It is unsafe because a file the app reads at run time from elsewhere in
the source tree (templates, migrations) is gone until it is copied too.
"#;

pub(crate) fn commands(inst: &Instruction) -> Vec<ShellCommand> {
    let text = if let Some(words) = &inst.exec_form {
        words.join(" ")
    } else if !inst.heredocs.is_empty() {
        inst.heredocs
            .iter()
            .map(|h| h.body.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        inst.args.clone()
    };
    ShellScript::parse_line(&text)
        .map(|s| s.commands.clone())
        .unwrap_or_default()
}

/// Whether a command builds the app (not merely installs dependencies).
pub(crate) fn is_build(cmd: &ShellCommand) -> bool {
    let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
    let positional: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    let first = positional.first().copied();
    let name = cmd.name.rsplit('/').next().unwrap_or(&cmd.name);
    // `build`, or a build script of a part (`build:ws`).
    let build_script =
        |s: Option<&&str>| s.is_some_and(|s| *s == "build" || s.starts_with("build:"));
    match name {
        "npm" | "bun" => first == Some("run") && build_script(positional.get(1)),
        "yarn" | "pnpm" => {
            build_script(positional.first())
                || (first == Some("run") && build_script(positional.get(1)))
        }
        "next" | "nuxt" | "nuxi" | "vite" | "nest" | "ng" | "turbo" => {
            first == Some("build") || (first == Some("run") && positional.get(1) == Some(&"build"))
        }
        "npx" => positional.get(1) == Some(&"build") || first == Some("tsc"),
        "tsc" => !args.contains(&"--noEmit"),
        "go" => first == Some("build"),
        "cargo" => first == Some("build"),
        "mvn" | "mvnw" => positional
            .iter()
            .any(|a| matches!(*a, "package" | "install" | "verify")),
        "gradle" | "gradlew" => positional.iter().any(|a| {
            matches!(
                *a,
                "build" | "bootJar" | "assemble" | "installDist" | "shadowJar" | "jar"
            )
        }),
        "dotnet" => matches!(first, Some("publish" | "build")),
        _ => false,
    }
}

/// Whether a command drops Node.js dev dependencies.
fn prunes(cmd: &ShellCommand) -> bool {
    let has = |a: &str| {
        cmd.args
            .iter()
            .any(|x| x == a || x.starts_with(&format!("{a}=")))
    };
    match cmd.name.as_str() {
        "npm" => {
            cmd.subcommand() == Some("prune")
                || (matches!(cmd.subcommand(), Some("ci" | "install"))
                    && (has("--omit") || has("--production") || has("--only")))
        }
        "yarn" => has("--production"),
        "pnpm" => cmd.subcommand() == Some("prune") || (has("--prod") || has("-P")),
        "bun" => has("--production"),
        _ => false,
    }
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for target in dockerfiles::production_dockerfiles(cx) {
        let file = target.file;
        let image_chain = chain(file, target.image_stage);
        // Walk the image's stages from the root in order.
        let mut build: Option<(&Instruction, String)> = None;
        let mut pruned_after = false;
        for i in image_chain.iter().rev() {
            for inst in file.stages[*i].all("RUN") {
                for cmd in commands(inst) {
                    if build.is_none() && is_build(&cmd) {
                        let shown = format!("{} {}", cmd.name, cmd.args.join(" "));
                        build = Some((inst, shown.trim().to_string()));
                    } else if build.is_some() && prunes(&cmd) {
                        pruned_after = true;
                    }
                }
            }
        }
        let Some((inst, shown)) = build else { continue };
        if pruned_after {
            continue;
        }
        let single = file.stages.len() == 1;
        let message = format!(
            "{} builds the app in the stage it ships ({}, line {}){}: the toolchain, dev dependencies and source tree stay in the production image.",
            code(target.rel),
            code(&shown),
            inst.line,
            if single {
                format!("; it has a single stage, {}", code(&format!("FROM {}", file.stages[0].from.args.trim())))
            } else {
                String::new()
            }
        );
        out.push(RULE.meta.finding(
            target.app,
            message,
            "Images several times larger than the app needs (a Go toolchain image is ~800 MB for a 20 MB binary): slower pulls, deploys and scale-out, and compilers and dev packages in production for scanners to flag and attackers to use.".to_string(),
            "Build in a stage with the toolchain, then start a slim runtime stage (`node:22-slim`, `distroless`, `eclipse-temurin:21-jre`, `scratch`) and `COPY --from=build` only the output: the binary, the jar, `dist/` with production dependencies, or Next.js `.next/standalone`.".to_string(),
            vec![Location::new(target.rel, inst.line)],
        ));
    }
    out
}
