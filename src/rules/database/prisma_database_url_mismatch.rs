//! prisma-database-url-mismatch: the documented database URL is for another
//! database than the Prisma schema's provider.

use crate::facts::prisma::SettingValue;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::database::sqlite_in_production::production_schemas;
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "prisma-database-url-mismatch",
        code: "SW604",
        severity: Severity::High,
        category: Category::DatabaseBackups,
        title: "Database URL does not match the Prisma provider",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
For the Prisma schema an app deploys with, takes the variable its datasource
reads (`url = env("DATABASE_URL")`, or the `env("…")`/`process.env.…` that
`prisma.config.ts` passes as the datasource URL, Prisma 7) and reports an env example or env file of the
app (`.env.example`, `.env`, `.env.production`, … — not the `.dev`, `.local`
or `.test` ones) that sets it to a URL of another database than the
provider's:

| provider | accepted URL schemes |
|---|---|
| `postgresql` | `postgresql://`, `postgres://`, `prisma+postgres://` (Accelerate), `prisma://` |
| `cockroachdb` | `postgresql://`, `postgres://`, `prisma://` |
| `mysql` | `mysql://`, `mariadb://`, `prisma://` |
| `sqlite` | `file:`, `libsql://` (Turso through the driver adapter), `prisma://` |
| `sqlserver` | `sqlserver://`, `prisma://` |
| `mongodb` | `mongodb://`, `mongodb+srv://`, `prisma://` |

Empty values and placeholders without a scheme are not judged. When the
app keeps schemas for two databases on the same variable, a URL for either
is accepted.

## Why is this bad?
Prisma refuses the URL ("the URL must start with the protocol `postgresql://`",
P1012/P1013): the app fails on its first query and `prisma migrate deploy`
fails on deploy. The env example is what a new environment is set up from,
so the mismatch is copied into every deployment — usually a leftover of a
move from SQLite to PostgreSQL.

## Example
### Reported
```prisma file=prisma/schema.prisma
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
```

```dotenv file=.env.example
DATABASE_URL="file:./dev.db"
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

### Not reported
```prisma file=prisma/schema.prisma
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
```

```dotenv file=.env.example
DATABASE_URL="postgresql://shop:shop@localhost:5432/shop?schema=public"
```

```json file=package.json
{ "name": "shop", "private": true, "dependencies": { "next": "15.1.0", "@prisma/client": "6.1.0" } }
```

## Fix
Document a URL of the provider's database in the env example
(`DATABASE_URL="postgresql://USER:PASSWORD@HOST:5432/DB?schema=public"` for
PostgreSQL), and check the value each environment sets.
"#;

fn accepted_schemes(provider: &str) -> Option<&'static [&'static str]> {
    Some(match provider {
        "postgresql" | "postgres" => &["postgresql", "postgres", "prisma+postgres", "prisma"],
        "cockroachdb" => &["postgresql", "postgres", "prisma"],
        "mysql" => &["mysql", "mariadb", "prisma"],
        "sqlite" => &["file", "libsql", "prisma"],
        "sqlserver" => &["sqlserver", "prisma"],
        "mongodb" => &["mongodb", "mongodb+srv", "prisma"],
        _ => return None,
    })
}

/// The scheme of a URL-looking value (`postgresql`, `file`), lower-cased;
/// `None` for placeholders and expansions.
fn scheme(value: &str) -> Option<String> {
    let (scheme, rest) = value.trim().split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    let valid = !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // `file:` has no `//`; every other scheme here does.
    (valid && (scheme == "file" || rest.starts_with("//"))).then_some(scheme)
}

fn is_dev_env_name(name: &str) -> bool {
    name.to_ascii_lowercase().split(['.', '-', '_']).any(|w| {
        matches!(
            w,
            "dev" | "development" | "local" | "test" | "testing" | "ci" | "e2e"
        )
    })
}

fn check(cx: &AppContext) -> Vec<Finding> {
    let app = cx.app;
    if !(app.has_dependency("prisma") || app.has_dependency("@prisma/client")) {
        return Vec::new();
    }
    let index = cx.repo.index;
    let facts = cx.repo.facts;
    let mut dirs: Vec<&str> = vec![app.dir()];
    dirs.extend(app.related_dirs.iter().map(String::as_str));
    // Prisma 7 keeps the URL in prisma.config.ts: the variable it reads.
    let mut configs: Vec<FileId> = dirs
        .iter()
        .flat_map(|dir| cx.repo.in_dir(FileKind::PrismaConfig, dir))
        .collect();
    configs.sort_unstable();
    configs.dedup();
    let config_var: Option<String> = configs
        .iter()
        .find_map(|id| config_url_variable(&index.path(*id)));
    // variable → (provider, schema file, line)
    let mut expected: Vec<(String, String, FileId, u32)> = Vec::new();
    for id in production_schemas(cx) {
        let Some(schema) = facts.prisma_schema(id) else {
            continue;
        };
        for ds in &schema.datasources {
            let Some(provider) = &ds.provider else {
                continue;
            };
            let Some(p) = provider.value.as_literal() else {
                continue;
            };
            let var = match ds.url.as_ref().map(|u| &u.value) {
                Some(SettingValue::Env(name)) => name.clone(),
                None => match &config_var {
                    Some(name) => name.clone(),
                    None => continue,
                },
                _ => continue,
            };
            expected.push((var, p.to_string(), id, provider.line));
        }
    }
    if expected.is_empty() {
        return Vec::new();
    }
    let mut env_dirs = dirs.clone();
    env_dirs.push("");
    // Looked up by folder: the work does not grow with the other apps'
    // env files.
    env_dirs.sort_unstable();
    env_dirs.dedup();
    let env_files: Vec<FileId> = [FileKind::EnvExample, FileKind::EnvFile]
        .iter()
        .flat_map(|k| {
            let mut ids: Vec<FileId> = env_dirs
                .iter()
                .flat_map(|dir| cx.repo.in_dir(*k, dir))
                .collect();
            ids.sort_unstable();
            ids
        })
        .filter(|id| !is_dev_env_name(index.get(*id).name()))
        .collect();
    let mut findings = Vec::new();
    let mut vars: Vec<&str> = expected.iter().map(|(v, ..)| v.as_str()).collect();
    vars.sort_unstable();
    vars.dedup();
    for var in vars {
        let wanted: Vec<&(String, String, FileId, u32)> =
            expected.iter().filter(|(v, ..)| v == var).collect();
        let accepted: Vec<&str> = wanted
            .iter()
            .filter_map(|(_, p, ..)| accepted_schemes(p))
            .flat_map(|s| s.iter().copied())
            .collect();
        if accepted.is_empty() {
            continue;
        }
        // The app's own env files decide; the root's only when they do not
        // set the variable (a monorepo root may serve another app).
        let defines = |id: &FileId| {
            facts
                .env_file(*id)
                .is_some_and(|e| e.vars.iter().any(|v| v.name == var))
        };
        let own_defines = env_files
            .iter()
            .any(|id| !index.get(*id).dir().is_empty() && defines(id));
        for env_id in env_files
            .iter()
            .filter(|id| !own_defines || !index.get(**id).dir().is_empty() || app.path == ".")
        {
            let Some(env) = facts.env_file(*env_id) else {
                continue;
            };
            // The last definition wins, as in dotenv.
            let Some(def) = env.vars.iter().rev().find(|v| v.name == var) else {
                continue;
            };
            let Some(found) = scheme(&def.value) else {
                continue;
            };
            if accepted.contains(&found.as_str()) {
                continue;
            }
            let (_, provider, schema_id, schema_line) = wanted[0];
            let env_rel = index.get(*env_id).rel.clone();
            let schema_rel = index.get(*schema_id).rel.clone();
            let message = format!(
                "{} sets {} to a `{}:` URL, but {} reads it with `provider = \"{}\"`.",
                code(&env_rel),
                code(var),
                found,
                code(&schema_rel),
                provider
            );
            findings.push(RULE.meta.finding(
                Some(app),
                message,
                format!(
                    "Prisma rejects a `{found}:` URL for the `{provider}` provider (P1012/P1013): an environment set up from this file fails on the first query, and `prisma migrate deploy` fails on deploy."
                ),
                format!(
                    "Set {} to a URL for `{provider}` ({}) in {}, and check the value every environment sets.",
                    code(var),
                    example_url(provider),
                    code(&env_rel)
                ),
                vec![
                    Location::new(env_rel, def.line),
                    Location::new(schema_rel, *schema_line),
                ],
            ));
        }
    }
    findings
}

/// The variable a `prisma.config.ts` reads: `env("X")`, `env<…>("X")` or
/// `process.env.X`, the first one named.
fn config_url_variable(path: &std::path::Path) -> Option<String> {
    use crate::facts::code::{tokenize, Lang, Token};
    let text = crate::facts::text::read_text(path, 1 << 20).ok()?;
    let tokens = tokenize(&text, Lang::Js);
    let ident = |i: usize, name: &str| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Ident(n)) if n == name);
    let punct = |i: usize, c: char| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Punct(p)) if *p == c);
    for i in 0..tokens.len() {
        if ident(i, "env") && punct(i + 1, '(') {
            if let Some(Token::Str(name)) = tokens.get(i + 2).map(|t| &t.token) {
                return Some(name.clone());
            }
        }
        if ident(i, "process") && punct(i + 1, '.') && ident(i + 2, "env") && punct(i + 3, '.') {
            if let Some(Token::Ident(name)) = tokens.get(i + 4).map(|t| &t.token) {
                return Some(name.clone());
            }
        }
    }
    None
}

fn example_url(provider: &str) -> &'static str {
    match provider {
        "postgresql" | "postgres" => "`postgresql://USER:PASSWORD@HOST:5432/DB?schema=public`",
        "cockroachdb" => "`postgresql://USER:PASSWORD@HOST:26257/DB?sslmode=verify-full`",
        "mysql" => "`mysql://USER:PASSWORD@HOST:3306/DB`",
        "sqlite" => "`file:./dev.db`",
        "sqlserver" => {
            "`sqlserver://HOST:1433;database=DB;user=USER;password=PASSWORD;encrypt=true`"
        }
        "mongodb" => "`mongodb+srv://USER:PASSWORD@HOST/DB`",
        _ => "a URL of that database",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(scheme("postgresql://a@b/c").as_deref(), Some("postgresql"));
        assert_eq!(scheme("file:./dev.db").as_deref(), Some("file"));
        assert_eq!(
            scheme("prisma+postgres://accelerate.prisma-data.net/?api_key=x").as_deref(),
            Some("prisma+postgres")
        );
        assert_eq!(
            scheme("mongodb+srv://u:p@h/db").as_deref(),
            Some("mongodb+srv")
        );
        assert_eq!(scheme("${DATABASE_URL}"), None);
        assert_eq!(scheme("<your database url>"), None);
        assert_eq!(scheme("localhost:5432"), None);
        assert_eq!(scheme(""), None);
    }
}
