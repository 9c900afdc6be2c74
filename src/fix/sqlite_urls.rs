//! sqlite-in-production, the URLs: after the datasource moves to
//! PostgreSQL, a `file:` DATABASE_URL left in the project's own Dockerfile
//! or compose file makes its image fail `prisma validate` (P1012: the URL
//! must start with `postgresql://`). These are edited line by line, like
//! the catalog fixes: every other byte of the file stays as it was.
//!
//! - Dockerfile `ENV`/`ARG`: a stage whose later `RUN` steps may read the
//!   variable (`prisma generate`, `next build`, a config that calls
//!   `env("DATABASE_URL")`) gets [`BUILD_URL`], a PostgreSQL URL with no
//!   credentials that nothing answers: the build validates, and a build
//!   step that would query the database fails instead of reading a file.
//!   Elsewhere (the runtime stage) the line goes: a database URL belongs in
//!   the runtime environment, where compose or the orchestrator sets it
//!   (and an image `ENV` would silently win wherever they forget).
//! - compose `environment:`: the URL of the compose PostgreSQL service,
//!   its password required from the environment (`${POSTGRES_PASSWORD:?…}`).
//!   Without such a service, one is added (healthcheck, named volume, the
//!   app's networks) and the app waits for it to be healthy.

use yaml_rust2::Yaml;

use super::catalog::lines::{indent, strip_comment, LineEdits, Text};
use super::compose::{postgres_service, postgres_url};
use crate::facts::compose::{ComposeFile, ComposeService};
use crate::facts::dockerfile::Dockerfile;

/// The DATABASE_URL a build step sees: valid for Prisma's PostgreSQL
/// provider, no credentials, no server.
pub const BUILD_URL: &str = "postgresql://build@localhost:5432/build?schema=public";

/// A SQLite URL: `file:` (Prisma's form) or a `.db`/`.sqlite` file name.
pub fn is_sqlite(text: &str) -> bool {
    text.contains("file:")
        || [".db", ".sqlite", ".sqlite3"].iter().any(|ext| {
            text.match_indices(ext).any(|(at, _)| {
                text[at + ext.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
            })
        })
}

/// What changed on one line, for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub line: u32,
    pub what: String,
}

/// A word of a Dockerfile line: its byte span, quotes kept.
fn words(line: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') if quote != Some('\'') => {
                start.get_or_insert(i);
                escaped = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                start.get_or_insert(i);
                quote = Some(c);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

fn unquote(v: &str) -> &str {
    v.trim_matches(['"', '\''])
}

/// The Dockerfile with its SQLite `var` lines changed, and what changed;
/// `None` when it sets no SQLite URL.
pub fn dockerfile(text: &str, var: &str) -> Option<(String, Vec<Change>)> {
    let parsed = Dockerfile::parse(text).ok()?;
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    let mut changes = Vec::new();
    // Each ENV/ARG, and whether build steps can read it: an ARG default
    // (global ones before FROM included) only ever is; an ENV when a RUN
    // follows it in its stage.
    let mut candidates: Vec<(&crate::facts::dockerfile::Instruction, bool)> =
        parsed.global_args.iter().map(|a| (a, true)).collect();
    for stage in &parsed.stages {
        for (i, inst) in stage.instructions.iter().enumerate() {
            let build_use = inst.keyword == "ARG"
                || stage.instructions[i + 1..]
                    .iter()
                    .any(|later| later.keyword == "RUN");
            candidates.push((inst, build_use));
        }
    }
    for (inst, build_use) in candidates {
        if inst.keyword != "ENV" && inst.keyword != "ARG" {
            continue;
        }
        if !inst.args.contains(var) || !is_sqlite(&inst.args) {
            continue;
        }
        let single = lines
            .line(inst.line)
            .is_some_and(|l| !l.trim_end().ends_with('\\'));
        // The physical lines of the instruction (continuations, with
        // comment and blank lines inside them).
        let mut n = inst.line;
        while let Some(line) = lines.line(n) {
            if let Some(change) = edit_line(
                line,
                n,
                var,
                n == inst.line,
                build_use || !single,
                &mut edits,
            ) {
                changes.push(change);
            }
            let t = line.trim_end();
            if !(t.ends_with('\\') || (n > inst.line && (t.is_empty() || t.starts_with('#')))) {
                break;
            }
            n += 1;
        }
    }
    (!edits.is_empty()).then(|| (edits.apply(text), changes))
}

/// Edits the `var` pair on one physical line of an ENV/ARG instruction.
fn edit_line(
    line: &str,
    n: u32,
    var: &str,
    first: bool,
    placeholder: bool,
    edits: &mut LineEdits,
) -> Option<Change> {
    let spans = words(line);
    let args: Vec<(usize, usize)> = spans
        .iter()
        .copied()
        .skip(usize::from(first))
        .filter(|(s, e)| &line[*s..*e] != "\\")
        .collect();
    let lead = &line[..indent(line)];
    let keyword = spans.first().map_or("", |(s, e)| &line[*s..*e]);
    // `ENV NAME value with spaces`: the old form, one variable a line.
    if first && args.first().is_some_and(|(s, e)| &line[*s..*e] == var) {
        let (_, e) = args[0];
        if !is_sqlite(&line[e..]) {
            return None;
        }
        let with = if placeholder {
            vec![
                format!("{lead}# Build steps need a PostgreSQL URL to validate the schema; none is reached (seaworthy fix)."),
                format!("{lead}{keyword} {var} {BUILD_URL}"),
            ]
        } else {
            vec![format!("{lead}# {var} comes from the runtime environment (seaworthy fix: the app moved to PostgreSQL).")]
        };
        edits.replace(n, with);
        return Some(Change {
            line: n,
            what: if placeholder {
                "placeholder"
            } else {
                "removed"
            }
            .to_string(),
        });
    }
    let prefix = format!("{var}=");
    let at = args
        .iter()
        .position(|(s, e)| line[*s..*e].starts_with(&prefix))?;
    let (s, e) = args[at];
    let value = &line[s + prefix.len()..e];
    if !is_sqlite(unquote(value)) {
        return None;
    }
    if placeholder {
        let q = if value.starts_with('"') { "\"" } else { "" };
        let edited = format!("{}{prefix}{q}{BUILD_URL}{q}{}", &line[..s], &line[e..]);
        let mut with = Vec::new();
        if first && !line.trim_end().ends_with('\\') {
            with.push(format!("{lead}# Build steps need a PostgreSQL URL to validate the schema; none is reached (seaworthy fix)."));
        }
        with.push(edited);
        edits.replace(n, with);
        return Some(Change {
            line: n,
            what: "placeholder".to_string(),
        });
    }
    // Removed (a single-line runtime ENV): the whole line when it sets only
    // this variable, else the pair with the space before it.
    let with = if args.len() == 1 {
        vec![format!("{lead}# {var} comes from the runtime environment (seaworthy fix: the app moved to PostgreSQL).")]
    } else {
        let from = line[..s].trim_end().len();
        vec![format!("{}{}", &line[..from], &line[e..])]
    };
    edits.replace(n, with);
    Some(Change {
        line: n,
        what: "removed".to_string(),
    })
}

/// What the compose edit did.
#[derive(Debug, Default)]
pub struct ComposeEdit {
    pub text: String,
    /// The PostgreSQL service the URLs point at, and whether it was added.
    pub service: String,
    pub added: bool,
    pub changes: Vec<Change>,
    /// Services that already had `depends_on` (not changed): they should
    /// wait for the database to be healthy.
    pub wait_by_hand: Vec<String>,
    /// The existing service's password is a literal: the URL cannot carry it.
    pub literal_password: bool,
}

fn is_postgres(s: &ComposeService) -> bool {
    s.image.as_deref().is_some_and(|i| {
        let i = i.to_ascii_lowercase();
        let name = i.rsplit('/').next().unwrap_or(&i);
        name.starts_with("postgres") || name.starts_with("postgis")
    })
}

/// The compose file with its SQLite `var` entries pointing at its
/// PostgreSQL service (added when there is none); `None` when no entry
/// holds a SQLite URL. `name` is the default user and database.
pub fn compose(text: &str, var: &str, name: &str) -> Result<Option<ComposeEdit>, String> {
    let parsed = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let entries: Vec<(&ComposeService, u32, String)> = parsed
        .services
        .iter()
        .flat_map(|s| {
            s.details
                .environment
                .iter()
                .filter(|e| e.key == var)
                .filter_map(move |e| {
                    e.value
                        .as_deref()
                        .filter(|v| is_sqlite(v))
                        .map(|v| (s, e.line, v.to_string()))
                })
        })
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let lines = Text::new(text);
    let mut out = ComposeEdit::default();
    let existing = parsed.services.iter().find(|s| is_postgres(s));
    let url = match existing {
        Some(db) => {
            out.service = db.name.clone();
            let env = |k: &str| db.details.env(k).map(str::to_string);
            let user = env("POSTGRES_USER").unwrap_or_else(|| "postgres".to_string());
            let database = env("POSTGRES_DB").unwrap_or_else(|| user.clone());
            let password = match env("POSTGRES_PASSWORD") {
                Some(p) if p.starts_with("${") => p,
                Some(_) => {
                    out.literal_password = true;
                    "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}".to_string()
                }
                None => "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}".to_string(),
            };
            format!(
                "postgresql://{user}:{password}@{}:5432/{database}?schema=public",
                db.name
            )
        }
        None => {
            let taken = |n: &str| parsed.services.iter().any(|s| s.name == n);
            out.service = ["db", "postgres", "database"]
                .into_iter()
                .find(|n| !taken(n))
                .ok_or("its services already use the names db, postgres and database")?
                .to_string();
            out.added = true;
            postgres_url(&out.service, name, true)
        }
    };
    let mut edits = LineEdits::default();
    for (service, n, value) in &entries {
        let Some(line) = lines.line(*n) else { continue };
        let code = strip_comment(line);
        let comment = &line[code.len()..];
        let lead = &line[..indent(line)];
        let t = code.trim_start();
        let new = if let Some(item) = t.strip_prefix("- ") {
            let item = item.trim_start();
            let q = item
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .map(String::from)
                .unwrap_or_default();
            format!("{lead}- {q}{var}={url}{q}{comment}")
        } else {
            let Some((key, written)) = t.split_once(':') else {
                continue;
            };
            if !written.contains(
                value
                    .trim_matches(['"', '\''])
                    .split('$')
                    .next()
                    .unwrap_or(""),
            ) {
                // A value on lines of its own (a block scalar): listed.
                continue;
            }
            let q = written
                .trim_start()
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .map(String::from)
                .unwrap_or_default();
            format!("{lead}{key}: {q}{url}{q}{comment}")
        };
        edits.replace(*n, vec![new]);
        out.changes.push(Change {
            line: *n,
            what: service.name.clone(),
        });
    }
    if out.added {
        add_service(text, &parsed, &entries, &lines, &mut edits, &mut out, name)?;
    }
    out.text = edits.apply(text);
    Ok(Some(out))
}

/// Adds the PostgreSQL service, its named volume, and `depends_on` with
/// `condition: service_healthy` on the services whose URL now points at it.
fn add_service(
    text: &str,
    parsed: &ComposeFile,
    entries: &[(&ComposeService, u32, String)],
    lines: &Text,
    edits: &mut LineEdits,
    out: &mut ComposeEdit,
    name: &str,
) -> Result<(), String> {
    let top = |key: &str| {
        (1..=lines.len()).find(|n| {
            lines
                .line(*n)
                .is_some_and(|l| l.trim_end() == format!("{key}:") && indent(l) == 0)
        })
    };
    let services = top("services").ok_or("no top-level `services:` key on a line of its own")?;
    let unit = lines.child_indent(services).unwrap_or(2);
    let reindent = |block: &str| -> Vec<String> {
        block
            .lines()
            .map(|l| {
                let k = indent(l);
                format!("{}{}", " ".repeat(k / 2 * unit), &l[k..])
            })
            .collect()
    };
    // The named volume: one the file declares but no service mounts (a
    // prepared, commented-out database service), else a new one.
    let roots = crate::facts::yaml_tree::load(text)?;
    let declared: Vec<String> = roots
        .first()
        .and_then(|r| r.get("volumes"))
        .map(|v| v.entries().map(|(k, _, _)| k.to_string()).collect())
        .unwrap_or_default();
    let mounted = |v: &str| {
        parsed.services.iter().any(|s| {
            s.details
                .volumes
                .iter()
                .any(|m| m.source.as_deref() == Some(v))
        })
    };
    let volume = ["postgres-data", "db-data", "pgdata"]
        .into_iter()
        .find(|v| !mounted(v))
        .ok_or("the volume names postgres-data, db-data and pgdata are all in use")?;
    let mut waiting: Vec<&ComposeService> = Vec::new();
    for (s, _, _) in entries {
        if !waiting.iter().any(|w| w.name == s.name) {
            waiting.push(s);
        }
    }
    let mut networks: Vec<String> = Vec::new();
    for s in &waiting {
        match &s.raw["networks"] {
            Yaml::Array(items) => {
                networks.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)))
            }
            Yaml::Hash(map) => {
                networks.extend(map.keys().filter_map(|k| k.as_str().map(str::to_string)))
            }
            _ => {}
        }
    }
    networks.dedup();
    for s in &waiting {
        if s.raw["depends_on"].is_badvalue() {
            let ci = lines.child_indent(s.line).unwrap_or(2 * unit);
            let pad = |k: usize| " ".repeat(ci + k * unit);
            edits.insert_after(
                lines.block_end(s.line),
                vec![
                    format!("{}depends_on:", pad(0)),
                    format!("{}{}:", pad(1), out.service),
                    format!("{}condition: service_healthy", pad(2)),
                ],
            );
        } else {
            out.wait_by_hand.push(s.name.clone());
        }
    }
    let mut block = vec![String::new()];
    block.extend(reindent(&postgres_service(&out.service, name, volume)));
    if !networks.is_empty() {
        block.push(format!("{}networks:", " ".repeat(2 * unit)));
        for n in &networks {
            block.push(format!("{}- {n}", " ".repeat(3 * unit)));
        }
    }
    edits.insert_after(lines.block_end(services), block);
    if !declared.iter().any(|d| d == volume) {
        match top("volumes") {
            Some(v) => edits.insert_after(
                lines.block_end(v),
                vec![format!("{}{volume}:", " ".repeat(unit))],
            ),
            None => {
                let last = (1..=lines.len())
                    .rev()
                    .find(|n| lines.line(*n).is_some_and(|l| !l.trim().is_empty()))
                    .unwrap_or(1);
                edits.insert_after(
                    last,
                    vec![
                        String::new(),
                        "volumes:".to_string(),
                        format!("{}{volume}:", " ".repeat(unit)),
                    ],
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_stage_gets_the_placeholder_runtime_loses_the_line() {
        let text = "FROM node:20 AS builder\nENV NEXT_TELEMETRY_DISABLED=1\nENV DATABASE_URL=\"file:./dev.db\"\nRUN npx prisma generate\n\nFROM node:20 AS runner\nENV NODE_ENV=production DATABASE_URL=file:/app/data/prod.db PORT=3000\nENV DATABASE_URL file:/data/x.db\nCMD [\"node\", \"server.js\"]\n";
        let (out, changes) = dockerfile(text, "DATABASE_URL").expect("changed");
        assert!(
            out.contains(&format!("ENV DATABASE_URL=\"{BUILD_URL}\"\nRUN npx")),
            "{out}"
        );
        assert!(out.contains("ENV NODE_ENV=production PORT=3000\n"), "{out}");
        assert!(
            out.contains("# DATABASE_URL comes from the runtime environment"),
            "{out}"
        );
        assert!(!out.contains("file:"), "{out}");
        assert_eq!(
            changes.iter().map(|c| c.line).collect::<Vec<_>>(),
            vec![3, 7, 8]
        );
        assert!(
            dockerfile(&out, "DATABASE_URL").is_none(),
            "a second run changes nothing"
        );
    }

    #[test]
    fn build_args_and_continued_lines_get_the_placeholder() {
        let text = "ARG DATABASE_URL=file:./build.db\nFROM node:22\nENV NODE_ENV=production \\\n    DATABASE_URL='file:/data/app.db' \\\n    PORT=3000\nCMD [\"node\", \"server.js\"]\n";
        let (out, changes) = dockerfile(text, "DATABASE_URL").expect("changed");
        assert!(
            out.starts_with(&format!("# Build steps need a PostgreSQL URL to validate the schema; none is reached (seaworthy fix).\nARG DATABASE_URL={BUILD_URL}\nFROM node:22\n")),
            "{out}"
        );
        // A continued runtime ENV keeps its lines (removing one could join
        // the others wrongly): the placeholder, no comment inside it.
        assert!(
            out.contains(&format!(
                "ENV NODE_ENV=production \\\n    DATABASE_URL={BUILD_URL} \\\n    PORT=3000\n"
            )),
            "{out}"
        );
        assert_eq!(changes.len(), 2);
    }

    #[test]
    fn compose_gets_a_database_service() {
        let text = "services:\n  app:\n    build: .\n    environment:\n      - NODE_ENV=production\n      - DATABASE_URL=${DATABASE_URL:-file:/app/data/production.db} # sqlite\n    networks:\n      - app-network\n\nnetworks:\n  app-network:\n\nvolumes:\n  postgres-data:\n";
        let edit = compose(text, "DATABASE_URL", "app")
            .expect("ok")
            .expect("changed");
        assert!(edit.added);
        assert_eq!(edit.service, "db");
        let out = &edit.text;
        assert!(out.contains("      - DATABASE_URL=postgresql://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}@db:5432/${POSTGRES_DB:-app}?schema=public # sqlite\n"), "{out}");
        assert!(out.contains("      - app-network\n    depends_on:\n      db:\n        condition: service_healthy\n\n  db:\n    image: postgres:17\n"), "{out}");
        assert!(
            out.contains("      - postgres-data:/var/lib/postgresql/data\n"),
            "{out}"
        );
        assert!(out.ends_with("    networks:\n      - app-network\n\nnetworks:\n  app-network:\n\nvolumes:\n  postgres-data:\n"), "{out}");
        let parsed = ComposeFile::parse(out).expect("valid YAML");
        assert!(parsed
            .service("db")
            .is_some_and(|d| d.details.healthcheck.is_some()));
        assert!(compose(out, "DATABASE_URL", "app").expect("ok").is_none());
    }

    #[test]
    fn compose_points_at_its_own_postgres() {
        let text = "services:\n  web:\n    environment:\n      DATABASE_URL: \"file:./dev.db\"\n  pg:\n    image: postgres:16-alpine\n    environment:\n      POSTGRES_USER: shop\n      POSTGRES_PASSWORD: ${PG_PASS}\n";
        let edit = compose(text, "DATABASE_URL", "app")
            .expect("ok")
            .expect("changed");
        assert!(!edit.added);
        assert!(
            edit.text.contains(
                "      DATABASE_URL: \"postgresql://shop:${PG_PASS}@pg:5432/shop?schema=public\"\n"
            ),
            "{}",
            edit.text
        );
        assert_eq!(edit.text.lines().count(), text.lines().count());
    }
}
