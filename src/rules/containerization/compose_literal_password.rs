//! compose-literal-password: a deployment compose file carries passwords in
//! plain text.

use crate::facts::compose::resolve_unset;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::compose_files;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "compose-literal-password",
        code: "SW112",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Password written into the compose file",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
In the compose files that deploy the project (named `prod`, `production`,
`deploy`, … or, with a neutral name, running a service of the project with a
restart policy — see `compose-database-without-volume`), reports
`environment:` entries (map or `KEY=value` list form) whose name says password
(`POSTGRES_PASSWORD`, `MYSQL_ROOT_PASSWORD`, `MONGO_INITDB_ROOT_PASSWORD`,
`REDIS_PASSWORD`, `*_PASS`, `*_PWD`, …) with a literal value, and connection
URLs with a literal password (`postgres://app:secret@db/app`), and keys
that sign or encrypt the app's own sessions and data (`APP_KEY`,
`SECRET_KEY`, `JWT_SECRET`) set to a literal value (a "replace me" comment
above it does not change what an installation that runs the file gets; a
`${APP_KEY:-…}` default is `hardcoded-fallback-secret`'s finding), written
literally or as the default of an interpolation (`${DB_PASSWORD:-changeme}`,
`postgres://app:${DB_PASSWORD:-app}@db/app`): Compose uses the default
whenever the variable is unset, so every installation that runs the file as
it is gets that password, placeholder or not. An env template beside the
file (`.env.example`, `.env.sample`, `env.template`, … in its folder) that
sets the defaulted variable to the same password is the same cause: its line
is cited in the same finding. Values taken from the
environment (`${POSTGRES_PASSWORD}`, `${DB_PASSWORD:?}`, `${DB_PASSWORD:-}`), `env_file:`,
`*_FILE` secrets, empty values and switches such as
`MYSQL_ALLOW_EMPTY_PASSWORD` are fine. Development compose files are never
read: `postgres/postgres` on a laptop is not a leak.

## Why is this bad?
The password is in the repository's history for everyone with read access,
and every installation that uses the file as it is shares the same known
password — often next to a published database port.

## Example
### Reported
```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: shop
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Reported
A default that every installation shares when the variable is unset:

```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
```yaml file=docker-compose.prod.yml
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
```

### Not reported
A local development stack:

```yaml file=docker-compose.dev.yml
services:
  db:
    image: postgres:17
    environment:
      POSTGRES_PASSWORD: postgres
```

## Fix
Read the value from the deployment's environment with a required
interpolation (`POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}`) kept in an
uncommitted `.env` or the host's secret store, or use Compose `secrets:` with
the image's `*_FILE` variables (`POSTGRES_PASSWORD_FILE: /run/secrets/db_password`).
Rotate the password that was committed.

`seaworthy fix --unsafe` replaces each cited password with a required
interpolation (`${POSTGRES_PASSWORD:?}`; a URL's password only, reusing the
variable of the entry that holds the same literal so the app and the
database agree; a `${VAR:-default}` loses its default) and lists the
variables, empty, in the env example beside the compose file. It is unsafe
because the deployment refuses to start until the variables are set, and a
database initialised with the old password keeps it: rotate it.
"#;

/// Whether an environment variable's name says it holds a password.
pub(crate) fn is_password_key(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    if key.ends_with("_FILE")
        || key.contains("ALLOW_EMPTY")
        || key.contains("RANDOM_ROOT")
        || key.contains("_POLICY")
        || key.contains("_LENGTH")
        || key.contains("HASH")
    {
        return false;
    }
    key.ends_with("PASSWORD")
        || key.ends_with("_PASS")
        || key.ends_with("_PASSWD")
        || key.ends_with("_PWD")
        || key == "PASSWORD"
}

/// The literal password of a value, if it is one.
fn literal(value: &str) -> Option<&str> {
    let v = value.trim();
    if v.is_empty() || v.contains('$') {
        return None;
    }
    if matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "null" | "none"
    ) {
        return None;
    }
    Some(v)
}

/// `scheme://user:password@host…` with a literal password.
fn url_password(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    literal(password)
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, compose) in compose_files::production(cx) {
        let rel = cx.rel(id);
        // (service, variable, line, the interpolated variable whose
        // default carries the password, if that is how it is written)
        let mut found: Vec<(String, String, u32, Option<String>)> = Vec::new();
        for service in &compose.services {
            for entry in &service.details.environment {
                let Some(value) = entry.value.as_deref() else {
                    continue;
                };
                let password_key = is_password_key(&entry.key);
                // A key that signs or encrypts the app's own sessions and
                // data (`APP_KEY`, `SECRET_KEY`, `JWT_SECRET`) written
                // literally: every installation that runs the file as it is
                // signs with it, a "replace me" value included. (Its
                // `${APP_KEY:-…}` default is `hardcoded-fallback-secret`'s.)
                let signing_key = !password_key
                    && crate::rules::configuration::secrets::is_signing_secret(&entry.key)
                    && crate::rules::configuration::secrets::is_app_secret(&entry.key);
                if !value.contains('$') {
                    let password = if password_key || signing_key {
                        literal(value)
                    } else {
                        url_password(value)
                    };
                    if password.is_some() {
                        found.push((service.name.clone(), entry.key.clone(), entry.line, None));
                    }
                    continue;
                }
                // `${DB_PASSWORD:-changeme}`: Compose uses the default
                // whenever the variable is unset, so every installation
                // that runs the file as it is shares that password.
                let (Some(unset), interpolations) = resolve_unset(value) else {
                    continue;
                };
                if !interpolations
                    .iter()
                    .any(|i| i.default.as_deref().is_some_and(|d| !d.trim().is_empty()))
                {
                    continue;
                }
                let password = if password_key {
                    literal(&unset)
                } else {
                    url_password(&unset)
                };
                let Some(password) = password else {
                    continue;
                };
                // Name the variable whose default is the password
                // (`${POSTGRES_PASSWORD:-password}` inside a URL's default).
                let defaulted = interpolations
                    .iter()
                    .find(|i| i.default.as_deref().map(str::trim) == Some(password))
                    .or_else(|| interpolations.iter().rev().find(|i| i.default.is_some()))
                    .map_or_else(|| entry.key.clone(), |i| i.name.clone());
                found.push((
                    service.name.clone(),
                    entry.key.clone(),
                    entry.line,
                    Some(defaulted),
                ));
            }
        }
        found.sort_by_key(|f| f.2);
        found.dedup_by_key(|f| f.2);
        if found.is_empty() {
            continue;
        }
        // The env template beside the file that sets a defaulted variable
        // to the same password: copying it shares the password as surely
        // as leaving the variable unset.
        let mut template_lines: Vec<Location> = Vec::new();
        for (service, key, _, defaulted) in &found {
            let Some(var) = defaulted else {
                continue;
            };
            let Some(default) = compose
                .service(service)
                .and_then(|s| s.details.environment.iter().find(|e| &e.key == key))
                .and_then(|e| e.value.as_deref())
                .and_then(|v| {
                    resolve_unset(v)
                        .1
                        .into_iter()
                        .find(|i| &i.name == var)
                        .and_then(|i| i.default)
                })
            else {
                continue;
            };
            template_lines.extend(compose_files::templates_setting(cx, id, var, &default));
        }
        template_lines.sort();
        template_lines.dedup();
        let names: Vec<String> = found
            .iter()
            .map(|(service, key, _, defaulted)| match defaulted {
                None => format!("{} ({service})", code(key)),
                Some(var) => format!(
                    "{} ({service}, the default of {} when it is unset)",
                    code(key),
                    code(&format!("${{{var}:-…}}"))
                ),
            })
            .collect();
        let mut message = format!(
            "{} sets {} to literal values in the file.",
            code(rel),
            names.join(", ")
        );
        if !template_lines.is_empty() {
            let shown: Vec<String> = template_lines
                .iter()
                .map(|l| format!("{}:{}", l.path, l.line))
                .collect();
            message.push_str(&format!(
                " The env template beside it sets the same value ({}).",
                shown.join(", ")
            ));
        }
        let impact = "The credentials are in the repository's history for everyone with read access, and every deployment that uses this file as it is runs with the same known password.".to_string();
        let fix = "Take the values from the deployment's environment with required interpolation (`POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?}`) kept in an uncommitted `.env` or a secret store, or use Compose `secrets:` with the image's `*_FILE` variables; rotate the committed passwords.".to_string();
        findings.push(
            RULE.meta.finding(
                compose_files::app_of(cx, rel),
                message,
                impact,
                fix,
                found
                    .iter()
                    .map(|f| Location::new(rel, f.2))
                    .chain(template_lines)
                    .collect(),
            ),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_keys_and_values() {
        assert!(is_password_key("POSTGRES_PASSWORD"));
        assert!(is_password_key("MYSQL_ROOT_PASSWORD"));
        assert!(is_password_key("RABBITMQ_DEFAULT_PASS"));
        assert!(!is_password_key("POSTGRES_PASSWORD_FILE"));
        assert!(!is_password_key("MYSQL_ALLOW_EMPTY_PASSWORD"));
        assert_eq!(literal("${DB_PASSWORD}"), None);
        assert_eq!(literal("secret"), Some("secret"));
        assert_eq!(
            url_password("postgresql://app:secret@db:5432/app"),
            Some("secret")
        );
        assert_eq!(url_password("postgresql://app:${PW}@db/app"), None);
        assert_eq!(url_password("redis://redis:6379"), None);
    }
}
