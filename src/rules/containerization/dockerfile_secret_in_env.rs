//! dockerfile-secret-in-env: a literal secret in `ENV` or an `ARG` default.

use crate::facts::dockerfile::{shell_words, Instruction};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::dockerfiles::{self, chain, env_pairs};
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "dockerfile-secret-in-env",
        code: "SW107",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Secret written into the Dockerfile",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports `ENV` values and `ARG` defaults in production Dockerfiles whose name
says they hold a secret (`…SECRET…`, `…PASSWORD…`/`PASSWD`/`_PASS`,
`…TOKEN…`, `API_KEY`/`APIKEY`, `PRIVATE_KEY`, `ACCESS_KEY`, `SECRET_KEY`,
`AUTH_KEY`, `ENCRYPTION_KEY`, `SIGNING_KEY`, `CREDENTIALS`) and whose value is
a literal: not empty, not a variable reference (`$DB_PASSWORD`), not a
number, boolean or path, and not a placeholder.

Not reported:
- names that hold something about a secret rather than the secret
  (`…_FILE`, `…_PATH`, `…_ID`, `…_URL`, `…_NAME`, `…_TTL`, `…_EXPIRES_IN`, …),
  public-by-design prefixes (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, `PUBLIC_`)
  and DSNs (a Sentry DSN is public);
- an `ARG` without a default (the build passes it);
- placeholders (`changeme`, `dummy`, `placeholder`, `your-…`, `xxx`,
  `django-insecure-…`, `<…>`, `secret`, `DEADBEEF`, …). A placeholder is not a leaked
  credential; build stages commonly need one for `next build` or
  `assets:precompile`.

## Why is this bad?
The value is committed with the Dockerfile, so everyone with access to the
repository — and its history, forever — has it. An `ENV` is also written
into the image configuration, readable by anyone who can pull the image
(`docker inspect`), and an `ARG` used by a `RUN` is recorded in
`docker history`. Rotating it means rebuilding and redeploying every image.

## Example
### Reported
```dockerfile file=Dockerfile
FROM node:22-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
ENV STRIPE_SECRET_KEY=sk_live_51HqLyjWDarjtT1zdp7dcXDzg
USER node
CMD ["node", "server.js"]
```

### Not reported
The secret comes from the environment at run time; the build only needs a
placeholder:

```dockerfile file=Dockerfile
FROM node:22-slim AS build
WORKDIR /app
COPY . .
ENV NEXTAUTH_SECRET=build-placeholder
RUN npm ci && npm run build

FROM node:22-slim
WORKDIR /app
COPY --from=build /app/.next/standalone ./
ARG SENTRY_AUTH_TOKEN
USER node
CMD ["node", "server.js"]
```

## Fix
Remove the value from the Dockerfile and rotate the secret. Pass secrets at
run time (the orchestrator's secret store, `docker run --env-file`, compose
`secrets:`), and secrets a build step needs with BuildKit secret mounts
(`RUN --mount=type=secret,id=npm_token …`), never `ENV` or `ARG`.
"#;

/// Words of a variable name that say it holds a secret.
fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if [
        "NEXT_PUBLIC_",
        "VITE_",
        "REACT_APP_",
        "PUBLIC_",
        "EXPO_PUBLIC_",
    ]
    .iter()
    .any(|p| upper.starts_with(p))
    {
        return false;
    }
    let words: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    if matches!(
        *last,
        "FILE"
            | "PATH"
            | "DIR"
            | "NAME"
            | "ID"
            | "URL"
            | "URI"
            | "DSN"
            | "HOST"
            | "PORT"
            | "USER"
            | "USERNAME"
            | "LENGTH"
            | "TTL"
            | "EXPIRY"
            | "EXPIRES"
            | "EXPIRE"
            | "EXPIRATION"
            | "IN"
            | "TIMEOUT"
            | "ENABLED"
            | "ENABLE"
            | "REQUIRED"
            | "TYPE"
            | "MODE"
            | "HEADER"
            | "FIELD"
            | "PARAM"
            | "PREFIX"
            | "VERSION"
            | "ALGORITHM"
            | "ALG"
            | "COUNT"
            | "SIZE"
            | "ROUNDS"
            | "COST"
            | "PROVIDER"
            | "ENDPOINT"
            | "REGION"
            | "LOCATION"
            | "POLICY"
            | "STRATEGY"
            | "MIN"
            | "MAX"
    ) {
        return false;
    }
    let pair = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
    words.iter().any(|w| {
        matches!(
            *w,
            "SECRET"
                | "SECRETS"
                | "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
        )
    }) || pair("API", "KEY")
        || pair("PRIVATE", "KEY")
        || pair("ACCESS", "KEY")
        || pair("AUTH", "KEY")
        || pair("ENCRYPTION", "KEY")
        || pair("SIGNING", "KEY")
        || pair("MASTER", "KEY")
}

/// Whether a value is a literal that could be a real credential.
fn is_literal_secret(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    if v.len() < 6
        || v.contains('$')
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with('~')
        || v.starts_with('<')
        || v.chars().all(|c| c.is_ascii_digit() || c == '.')
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "nil" | "undefined"
        )
    {
        return false;
    }
    const PLACEHOLDER_WORDS: &[&str] = &[
        "changeme",
        "change_me",
        "change-me",
        "changethis",
        "change_this",
        "change-this",
        "replace",
        "your_",
        "your-",
        "yoursecret",
        "yourpassword",
        "example",
        "placeholder",
        "dummy",
        "fake",
        "xxx",
        "todo",
        "sample",
        "notsecret",
        "not-secret",
        "not_secret",
        "not-a-secret",
        "insecure",
        "unsafe",
        "default",
        "build",
        "test",
        "mock",
        "secret",
        "password",
        "redacted",
        "****",
        // Hexspeak stand-ins.
        "cafebabe",
        "deadbeef",
    ];
    !PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for target in dockerfiles::production_dockerfiles(cx) {
        let file = target.file;
        let image_chain = chain(file, target.image_stage);
        let instructions = file.global_args.iter().map(|i| (None, i)).chain(
            file.stages
                .iter()
                .enumerate()
                .flat_map(|(s, stage)| stage.instructions.iter().map(move |i| (Some(s), i))),
        );
        let mut hits: Vec<(String, &Instruction, bool)> = Vec::new();
        for (stage, inst) in instructions {
            let pairs: Vec<(String, String)> = match inst.keyword.as_str() {
                "ENV" => env_pairs(inst),
                "ARG" => shell_words(&inst.args)
                    .into_iter()
                    .filter_map(|w| {
                        w.split_once('=')
                            .map(|(n, v)| (n.to_string(), v.to_string()))
                    })
                    .collect(),
                _ => continue,
            };
            for (name, value) in pairs {
                if is_secret_name(&name) && is_literal_secret(&value) {
                    let in_image =
                        inst.keyword == "ENV" && stage.is_some_and(|s| image_chain.contains(&s));
                    hits.push((name, inst, in_image));
                }
            }
        }
        if hits.is_empty() {
            continue;
        }
        let list = hits
            .iter()
            .map(|(name, inst, _)| format!("{} ({} line {})", code(name), inst.keyword, inst.line))
            .collect::<Vec<_>>()
            .join(", ");
        let in_image = hits.iter().any(|(_, _, i)| *i);
        let message = format!(
            "{} writes a literal value into {list}{}.",
            code(target.rel),
            if in_image {
                ": it is committed with the Dockerfile and stored in the image's configuration"
            } else {
                ": it is committed with the Dockerfile"
            }
        );
        out.push(RULE.meta.finding(
            target.app,
            message,
            "Everyone with access to the repository — and its history — has the credential; an `ENV` is readable by anyone who can pull the image (`docker inspect`), and an `ARG` used by a `RUN` is recorded in `docker history`. Rotating it means rebuilding and redeploying every image.".to_string(),
            "Remove the value and rotate the secret. Pass it at run time (the orchestrator's secret store, `--env-file`, compose `secrets:`), and give build steps secrets through BuildKit secret mounts (`RUN --mount=type=secret,id=…`), never `ENV` or `ARG`.".to_string(),
            hits.iter()
                .map(|(_, inst, _)| Location::new(target.rel, inst.line))
                .collect(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values() {
        assert!(is_secret_name("JWT_SECRET"));
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("OPENAI_API_KEY"));
        assert!(is_secret_name("GITHUB_TOKEN"));
        assert!(!is_secret_name("PWD"));
        assert!(!is_secret_name("AWS_ACCESS_KEY_ID"));
        assert!(!is_secret_name("DB_PASSWORD_FILE"));
        assert!(!is_secret_name("NEXT_PUBLIC_API_KEY"));
        assert!(!is_secret_name("SENTRY_DSN"));
        assert!(!is_secret_name("TOKEN_EXPIRES_IN"));
        assert!(!is_secret_name("KEYCLOAK_URL"));
        assert!(is_literal_secret("sk_live_51HqLyjWDarjtT1zdp7dcXDzg"));
        assert!(is_literal_secret("\"s3cr3t-Value!\""));
        assert!(!is_literal_secret("$DB_PASSWORD"));
        assert!(!is_literal_secret("changeme"));
        assert!(!is_literal_secret("django-insecure-abc123xyz"));
        assert!(!is_literal_secret("/run/secrets/db"));
        assert!(!is_literal_secret("3600"));
        assert!(!is_literal_secret(""));
    }
}
