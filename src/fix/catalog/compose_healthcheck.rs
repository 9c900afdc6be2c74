//! compose-depends-on-without-healthcheck: give the database service a
//! healthcheck that passes only once it accepts connections, and make the
//! services the finding cites wait for it (`condition: service_healthy`).
//!
//! Safe: nothing changes once the database is up; services only start
//! later, when it is ready.

use crate::facts::compose::{ComposeFile, ComposeService};
use crate::facts::images;
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{indent, strip_comment, value_after_key, LineEdits, Text};
use super::{cited_text, compose_anchors, relocated};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "compose file")?;
    let after = fix_text(&text, &relocated(b, finding, &path, &text, compose_anchors))?;
    b.modify(&path, after);
    b.assume("the healthchecks run the client each database image ships (pg_isready, mysqladmin, healthcheck.sh, mongosh)");
    Ok(())
}

/// The compose text with a healthcheck on the database and the cited
/// `depends_on:` entries waiting for it.
pub fn fix_text(text: &str, cited: &[u32]) -> Result<String, String> {
    let compose = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    // The cited entries, and the databases they name.
    let mut databases: Vec<&ComposeService> = Vec::new();
    for service in &compose.services {
        let cited_deps: Vec<_> = service
            .details
            .depends_on
            .iter()
            .filter(|d| cited.contains(&d.line))
            .collect();
        if cited_deps.is_empty() {
            continue;
        }
        for dep in &cited_deps {
            if let Some(db) = compose.service(&dep.service) {
                if !databases.iter().any(|d| d.name == db.name) {
                    databases.push(db);
                }
            }
        }
        wait_for(&lines, service, &cited_deps, &mut edits)?;
    }
    for db in databases {
        let has = db.details.healthcheck.as_ref();
        if has.is_some_and(|h| h.disabled) {
            return Err(format!(
                "service `{}` disables its healthcheck: seaworthy does not override that",
                db.name
            ));
        }
        if has.is_none() {
            add_healthcheck(&lines, db, &mut edits)?;
        }
    }
    if edits.is_empty() {
        return Err("the cited entries are not in the file any more".to_string());
    }
    Ok(edits.apply(text))
}

/// The healthcheck's `test:` for a database image.
pub fn healthcheck_test(image: &str) -> Option<String> {
    let db = images::database(image)?;
    let (_, tag) = image.rsplit_once(':').unwrap_or((image, ""));
    let major: Option<u32> = tag.split(['.', '-']).next().and_then(|m| m.parse().ok());
    Some(match db.engine {
        // Over TCP: without -h it can report ready while the init scripts
        // still run on the socket. `$$` keeps Compose from interpolating.
        "PostgreSQL" => {
            "[\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $${POSTGRES_USER:-postgres}\"]"
                .to_string()
        }
        // Exits 0 once the server answers, even when it refuses the
        // (absent) credentials.
        "MySQL" => "[\"CMD\", \"mysqladmin\", \"ping\", \"-h\", \"127.0.0.1\"]".to_string(),
        // MariaDB 11 images dropped the mysql* names; healthcheck.sh ships
        // in every maintained tag.
        "MariaDB" => {
            "[\"CMD\", \"healthcheck.sh\", \"--connect\", \"--innodb_initialized\"]".to_string()
        }
        // mongosh replaced the legacy shell in the 6.0 images.
        "MongoDB" if major.is_some_and(|m| m < 6) => {
            "[\"CMD\", \"mongo\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]".to_string()
        }
        "MongoDB" => "[\"CMD\", \"mongosh\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]"
            .to_string(),
        "Redis" => "[\"CMD\", \"redis-cli\", \"ping\"]".to_string(),
        "ClickHouse" => "[\"CMD\", \"clickhouse-client\", \"--query\", \"SELECT 1\"]".to_string(),
        "Elasticsearch" | "OpenSearch" => {
            "[\"CMD-SHELL\", \"curl -fs http://127.0.0.1:9200/_cluster/health\"]".to_string()
        }
        // The image is Alpine-based: BusyBox wget, no curl.
        "Meilisearch" => {
            "[\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://127.0.0.1:7700/health\"]"
                .to_string()
        }
        "CockroachDB" => {
            "[\"CMD\", \"curl\", \"-fs\", \"http://127.0.0.1:8080/health?ready=1\"]".to_string()
        }
        _ => return None,
    })
}

fn add_healthcheck(lines: &Text, db: &ComposeService, edits: &mut LineEdits) -> Result<(), String> {
    let image = db.image.as_deref().unwrap_or_default();
    let test = healthcheck_test(image).ok_or_else(|| {
        format!(
            "no healthcheck known for `{image}` (service `{}`): add one by hand",
            db.name
        )
    })?;
    let key = lines.line(db.line).unwrap_or_default();
    let Some(child) = lines.child_indent(db.line) else {
        return Err(format!(
            "service `{}` is written on one line (flow style): add the healthcheck by hand",
            db.name
        ));
    };
    let step = child - indent(key);
    let pad = " ".repeat(child);
    let inner = " ".repeat(child + step);
    edits.insert_after(
        lines.block_end(db.line),
        vec![
            format!("{pad}healthcheck:"),
            format!("{inner}test: {test}"),
            format!("{inner}interval: 5s"),
            format!("{inner}timeout: 5s"),
            format!("{inner}retries: 10"),
            format!("{inner}start_period: 30s"),
        ],
    );
    Ok(())
}

/// Rewrites `service`'s `depends_on:` so the cited entries wait for
/// `service_healthy`. The list form cannot carry a condition: it becomes
/// the map form, the other entries keeping `service_started`.
fn wait_for(
    lines: &Text,
    service: &ComposeService,
    cited: &[&crate::facts::compose::DependsOn],
    edits: &mut LineEdits,
) -> Result<(), String> {
    let healthy = |name: &str| cited.iter().any(|d| d.service == name);
    let list_form = service.details.depends_on.iter().any(|d| {
        d.condition.is_none() && {
            lines
                .line(d.line)
                .is_some_and(|l| l.trim_start().starts_with("- ") || l.contains('['))
        }
    });
    if list_form {
        let key_line = cited
            .first()
            .and_then(|d| {
                let l = lines.line(d.line)?;
                if value_after_key(l, "depends_on").is_some() {
                    Some(d.line)
                } else {
                    lines.parent_key(d.line, "depends_on")
                }
            })
            .ok_or_else(|| format!("cannot find `depends_on:` of `{}`", service.name))?;
        let key = lines.line(key_line).unwrap_or_default();
        let base = indent(key);
        let step = lines
            .child_indent(service.line)
            .map_or(2, |c| {
                c.saturating_sub(indent(lines.line(service.line).unwrap_or_default()))
            })
            .max(2);
        let entry_pad = " ".repeat(base + step);
        let cond_pad = " ".repeat(base + 2 * step);
        let mut block = vec![format!(
            "{}depends_on:{}",
            " ".repeat(base),
            trailing_comment(key)
        )];
        for d in &service.details.depends_on {
            block.push(format!("{entry_pad}{}:", d.service));
            block.push(format!(
                "{cond_pad}condition: {}",
                if healthy(&d.service) {
                    "service_healthy"
                } else {
                    "service_started"
                }
            ));
        }
        // Replace the key line and the list under it (flow or block).
        let end = lines.block_end(key_line);
        edits.replace(key_line, block);
        for n in key_line + 1..=end {
            let l = lines.line(n).unwrap_or_default();
            if l.trim_start().starts_with("- ") {
                edits.replace(n, Vec::new());
            }
        }
        return Ok(());
    }
    for d in cited {
        let l = lines.line(d.line).unwrap_or_default();
        if value_after_key(l, "condition").is_some() {
            edits.replace(
                d.line,
                vec![format!(
                    "{}condition: service_healthy{}",
                    " ".repeat(indent(l)),
                    trailing_comment(l)
                )],
            );
            continue;
        }
        // `db:` with no condition: one nested under it.
        match value_after_key(l, &d.service) {
            Some("") | Some("{}") | Some("null") => {
                let pad = match lines.child_indent(d.line) {
                    Some(c) if value_after_key(l, &d.service) == Some("") => c,
                    _ => indent(l) + 2,
                };
                let mut block = vec![format!(
                    "{}{}:{}",
                    " ".repeat(indent(l)),
                    d.service,
                    trailing_comment(l)
                )];
                block.push(format!("{}condition: service_healthy", " ".repeat(pad)));
                edits.replace(d.line, block);
            }
            _ => {
                return Err(format!(
                    "`depends_on: {}` of `{}` is written in a form seaworthy does not rewrite: set `condition: service_healthy` by hand",
                    d.service, service.name
                ))
            }
        }
    }
    Ok(())
}

/// ` # comment` at the end of a line, to carry over to its replacement.
fn trailing_comment(line: &str) -> String {
    let code = strip_comment(line);
    line[code.len()..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_form_becomes_conditions_and_the_database_gets_a_healthcheck() {
        let text = "# production stack\nservices:\n  web:\n    build: .\n    depends_on: # order\n      - db\n      - cache\n    restart: always\n\n  db:\n    image: postgres:17\n    volumes:\n      - pg:/var/lib/postgresql/data\n  cache:\n    image: redis:7\nvolumes:\n  pg:\n";
        let out = fix_text(text, &[6, 10]).expect("fixed");
        assert_eq!(
            out,
            "# production stack\nservices:\n  web:\n    build: .\n    depends_on: # order\n      db:\n        condition: service_healthy\n      cache:\n        condition: service_started\n    restart: always\n\n  db:\n    image: postgres:17\n    volumes:\n      - pg:/var/lib/postgresql/data\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -h 127.0.0.1 -U $${POSTGRES_USER:-postgres}\"]\n      interval: 5s\n      timeout: 5s\n      retries: 10\n      start_period: 30s\n  cache:\n    image: redis:7\nvolumes:\n  pg:\n"
        );
        ComposeFile::parse(&out).expect("still YAML");
    }

    #[test]
    fn flow_lists_and_map_conditions() {
        let text = "services:\n  api:\n    image: ghcr.io/acme/api:1\n    depends_on: [mongo]\n  worker:\n    build: .\n    depends_on:\n      mongo:\n        condition: service_started\n  mongo:\n    image: mongo:5.0\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n";
        let out = fix_text(text, &[4, 9]).expect("fixed");
        assert!(
            out.contains(
                "    depends_on:\n      mongo:\n        condition: service_healthy\n  worker:"
            ),
            "{out}"
        );
        assert!(
            out.contains("      mongo:\n        condition: service_healthy\n  mongo:"),
            "{out}"
        );
        assert!(
            !out.contains("mongosh"),
            "the existing healthcheck stays: {out}"
        );
        assert_eq!(
            healthcheck_test("mongo:5.0").as_deref(),
            Some("[\"CMD\", \"mongo\", \"--quiet\", \"--eval\", \"db.adminCommand('ping')\"]")
        );
        assert!(healthcheck_test("mariadb:11").is_some_and(|t| t.contains("healthcheck.sh")));
        assert_eq!(healthcheck_test("nginx:1"), None);
    }
}
