//! Hand-written SQL in SQLite migrations (issue 15): the PostgreSQL
//! baseline is generated from the Prisma schema, so anything the schema
//! cannot express — a partial unique index the app relies on, a trigger, a
//! view, seed rows — would silently disappear with the archived SQLite
//! migrations.
//!
//! The migrations are split into statements (quotes, comments and trigger
//! bodies respected) and replayed in order: statements Prisma writes itself
//! are known by their shape; an index Prisma would not write (a `WHERE`
//! clause, an expression) whose SQL PostgreSQL accepts as it is gets carried
//! into a migration after the baseline; anything else is listed, and the
//! fix stops. Objects dropped later (with `DROP INDEX`, or with their table
//! when Prisma redefines it) are not carried.

/// One statement of a migration file, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub file: String,
    pub line: usize,
    pub sql: String,
}

/// What the replay found.
#[derive(Debug, Default)]
pub struct HandWritten {
    /// Indexes PostgreSQL accepts as written, in order, as `IF NOT EXISTS`.
    pub carried: Vec<Statement>,
    /// Statements seaworthy cannot carry (triggers, views, data changes, …).
    pub blocking: Vec<Statement>,
}

/// Splits SQL into statements at top-level `;`, keeping `BEGIN … END`
/// trigger bodies whole.
pub fn statements(file: &str, sql: &str) -> Vec<Statement> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 1;
    let mut start_line = 1;
    let mut i = 0;
    let mut depth = 0usize; // BEGIN … END nesting inside CREATE TRIGGER
    let word_at = |i: usize, w: &str| {
        bytes.len() >= i + w.len()
            && bytes[i..i + w.len()].eq_ignore_ascii_case(w.as_bytes())
            && (i == 0 || !is_word(bytes[i - 1]))
            && bytes.get(i + w.len()).is_none_or(|c| !is_word(*c))
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => line += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
                continue;
            }
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != c {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'[' => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
            }
            _ if word_at(i, "BEGIN") && is_trigger(&sql[start..i]) => depth += 1,
            _ if word_at(i, "END") && depth > 0 => depth -= 1,
            b';' if depth == 0 => {
                push(&mut out, file, &sql[start..i], start_line);
                start = i + 1;
                start_line = line;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, file, &sql[start.min(sql.len())..], start_line);
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_trigger(head: &str) -> bool {
    let upper = normalize(head);
    upper.starts_with("CREATE TRIGGER") || upper.starts_with("CREATE TEMP TRIGGER")
}

fn push(out: &mut Vec<Statement>, file: &str, text: &str, start_line: usize) {
    // The statement starts at its first line with code: after the `--`
    // lines and `/* … */` blocks before it (Prisma heads a migration that
    // drops data with a `/* Warnings: … */` block).
    let mut line = start_line;
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        line += rest[..rest.len() - trimmed.len()].matches('\n').count();
        rest = trimmed;
        if let Some(after) = rest.strip_prefix("--") {
            rest = &after[after.find('\n').unwrap_or(after.len())..];
        } else if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").map_or(after.len(), |i| i + 2);
            line += after[..end].matches('\n').count();
            rest = &after[end..];
        } else {
            break;
        }
    }
    let mut code = String::new();
    for l in rest.split_inclusive('\n') {
        if !l.trim().starts_with("--") {
            code.push_str(l);
        }
    }
    let code = code.trim();
    if !code.is_empty() {
        out.push(Statement {
            file: file.to_string(),
            line,
            sql: code.to_string(),
        });
    }
}

/// Upper-case, single-spaced, without quotes around identifiers.
fn normalize(sql: &str) -> String {
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

/// The identifier after `keyword` (quoted or not), upper-cased.
fn name_after(upper: &str, keyword: &str) -> Option<String> {
    let rest = upper.split_once(keyword)?.1.trim_start();
    let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
    let rest = rest.strip_prefix("IF EXISTS ").unwrap_or(rest);
    let name: String = rest
        .trim_start_matches(['"', '`', '['])
        .chars()
        .take_while(|c| !matches!(c, '"' | '`' | ']' | ' ' | '(' | ';'))
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `CREATE [UNIQUE] INDEX "n" ON "t"("a", "b" DESC)`: the only index shape
/// Prisma writes.
fn prisma_index(upper: &str) -> bool {
    let Some((_, on)) = upper.split_once(" ON ") else {
        return false;
    };
    let Some((_, cols)) = on.split_once('(') else {
        return false;
    };
    let Some(cols) = cols.strip_suffix(')') else {
        return false;
    };
    cols.split(',').all(|c| {
        let mut words = c.split_whitespace();
        let col = words.next().unwrap_or("");
        let quoted = col.len() > 2 && col.starts_with('"') && col.ends_with('"');
        quoted && words.all(|w| w == "ASC" || w == "DESC")
    })
}

/// SQL in an index definition that PostgreSQL reads differently or not at
/// all.
fn sqlite_only(upper: &str) -> bool {
    [
        "DATETIME(",
        "STRFTIME(",
        "JULIANDAY(",
        "IFNULL(",
        "GLOB ",
        "COLLATE NOCASE",
        "`",
        "[",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.contains("\"\"")
}

/// Replays the migrations (files in order, each with its SQL).
pub fn hand_written(files: &[(String, String)]) -> HandWritten {
    let mut carried: Vec<(String, String, Statement)> = Vec::new(); // (index, table, stmt)
    let mut blocking: Vec<(Option<String>, Statement)> = Vec::new(); // (table, stmt)
    for (file, sql) in files {
        for s in statements(file, sql) {
            let upper = normalize(&s.sql);
            let first = |w: &str| upper.starts_with(w);
            if first("PRAGMA")
                || first("CREATE TABLE")
                || first("ALTER TABLE")
                || first("BEGIN")
                || first("COMMIT")
            {
                if first("CREATE TABLE") && upper.contains(" CHECK") {
                    blocking.push((name_after(&upper, "TABLE "), s));
                }
                continue;
            }
            if first("DROP TABLE") {
                if let Some(table) = name_after(&upper, "TABLE ") {
                    carried.retain(|(_, t, _)| *t != table);
                    blocking.retain(|(t, _)| t.as_deref() != Some(table.as_str()));
                }
                continue;
            }
            if first("DROP INDEX") {
                if let Some(index) = name_after(&upper, "INDEX ") {
                    carried.retain(|(n, _, _)| *n != index);
                }
                continue;
            }
            if first("DROP TRIGGER") || first("DROP VIEW") {
                let kind = if first("DROP TRIGGER") {
                    "TRIGGER "
                } else {
                    "VIEW "
                };
                if let Some(name) = name_after(&upper, kind) {
                    blocking.retain(|(_, b)| {
                        name_after(&normalize(&b.sql), kind).as_deref() != Some(name.as_str())
                    });
                }
                continue;
            }
            // Prisma's table redefinition copies rows into "new_<table>".
            if first("INSERT INTO \"NEW_") || first("INSERT INTO NEW_") {
                continue;
            }
            if first("CREATE INDEX") || first("CREATE UNIQUE INDEX") {
                if prisma_index(&upper) {
                    continue;
                }
                let index = name_after(&upper, "INDEX ").unwrap_or_default();
                let table = upper
                    .split_once(" ON ")
                    .and_then(|(_, on)| name_after(&format!("X {on}"), "X "))
                    .unwrap_or_default();
                if sqlite_only(&upper) {
                    blocking.push((Some(table), s));
                } else {
                    carried.retain(|(n, _, _)| *n != index);
                    carried.push((index, table, s));
                }
                continue;
            }
            let table = if first("CREATE TRIGGER") || first("CREATE TEMP TRIGGER") {
                upper
                    .split_once(" ON ")
                    .and_then(|(_, on)| name_after(&format!("X {on}"), "X "))
            } else {
                None
            };
            blocking.push((table, s));
        }
    }
    HandWritten {
        carried: carried
            .into_iter()
            .map(|(_, _, mut s)| {
                s.sql = if_not_exists(&s.sql);
                s
            })
            .collect(),
        blocking: blocking.into_iter().map(|(_, s)| s).collect(),
    }
}

/// `CREATE [UNIQUE] INDEX name` → `CREATE [UNIQUE] INDEX IF NOT EXISTS name`
/// (a database loaded with pgloader may have it already).
fn if_not_exists(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    if upper.contains("IF NOT EXISTS") {
        return sql.to_string();
    }
    match upper.find("INDEX ") {
        Some(at) => format!("{}IF NOT EXISTS {}", &sql[..at + 6], &sql[at + 6..]),
        None => sql.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRISMA_INIT: &str = "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"email\" TEXT NOT NULL,\n    \"deletedAt\" DATETIME\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n";

    #[test]
    fn prisma_written_sql_is_not_hand_written() {
        let redefine = "PRAGMA defer_foreign_keys=ON;\nPRAGMA foreign_keys=OFF;\nCREATE TABLE \"new_User\" (\"id\" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO \"new_User\" (\"id\") SELECT \"id\" FROM \"User\";\nDROP TABLE \"User\";\nALTER TABLE \"new_User\" RENAME TO \"User\";\nCREATE INDEX \"User_a_b_idx\" ON \"User\"(\"a\", \"b\" DESC);\nPRAGMA foreign_keys=ON;\n";
        let found = hand_written(&[
            ("m/1/migration.sql".into(), PRISMA_INIT.into()),
            ("m/2/migration.sql".into(), redefine.into()),
        ]);
        assert!(found.carried.is_empty(), "{:?}", found.carried);
        assert!(found.blocking.is_empty(), "{:?}", found.blocking);
    }

    #[test]
    fn a_partial_index_is_carried_and_a_trigger_blocks() {
        let hand = "-- Only one live account per email.\nCREATE UNIQUE INDEX \"User_email_live\" ON \"User\"(\"email\") WHERE \"deletedAt\" IS NULL;\n\nCREATE TRIGGER \"touch\" AFTER UPDATE ON \"User\"\nBEGIN\n  UPDATE \"User\" SET \"updatedAt\" = datetime('now') WHERE id = NEW.id;\nEND;\nINSERT INTO \"Role\" (\"name\") VALUES ('admin; root');\n";
        let found = hand_written(&[
            ("m/1/migration.sql".into(), PRISMA_INIT.into()),
            ("m/2/migration.sql".into(), hand.into()),
        ]);
        assert_eq!(found.carried.len(), 1, "{:?}", found.carried);
        assert_eq!(
            found.carried[0].sql,
            "CREATE UNIQUE INDEX IF NOT EXISTS \"User_email_live\" ON \"User\"(\"email\") WHERE \"deletedAt\" IS NULL"
        );
        assert_eq!(found.carried[0].line, 2);
        let lines: Vec<usize> = found.blocking.iter().map(|s| s.line).collect();
        assert_eq!(
            lines,
            vec![4, 8],
            "the trigger whole, then the insert: {:?}",
            found.blocking
        );
    }

    #[test]
    fn objects_dropped_later_are_not_carried() {
        let create = "CREATE UNIQUE INDEX \"live\" ON \"User\"(\"email\") WHERE \"deletedAt\" IS NULL;\nCREATE INDEX \"lower_email\" ON \"Post\"(lower(\"title\"));\nCREATE TRIGGER t AFTER INSERT ON \"Post\" BEGIN SELECT 1; END;\n";
        let drop = "DROP INDEX \"live\";\nDROP TABLE \"Post\";\n";
        let found = hand_written(&[
            ("m/1/migration.sql".into(), create.into()),
            ("m/2/migration.sql".into(), drop.into()),
        ]);
        assert!(found.carried.is_empty(), "{:?}", found.carried);
        assert!(found.blocking.is_empty(), "{:?}", found.blocking);
    }

    #[test]
    fn a_warnings_block_is_a_comment() {
        // Prisma's own header of a migration that drops a column.
        let sql = "/*\n  Warnings:\n\n  - You are about to drop the column `elo`.\n\n*/\n-- RedefineTables\nPRAGMA defer_foreign_keys=ON;\nCREATE UNIQUE INDEX \"live\" ON \"User\"(\"email\") WHERE \"deletedAt\" IS NULL;\n";
        let found = hand_written(&[("m/1/migration.sql".into(), sql.into())]);
        assert!(found.blocking.is_empty(), "{:?}", found.blocking);
        assert_eq!(found.carried.len(), 1);
        assert_eq!(found.carried[0].line, 9);
    }

    #[test]
    fn sqlite_only_index_sql_blocks() {
        let found = hand_written(&[(
            "m/1/migration.sql".into(),
            "CREATE INDEX \"d\" ON \"E\"(strftime('%Y', \"at\"));\n".into(),
        )]);
        assert!(found.carried.is_empty());
        assert_eq!(found.blocking.len(), 1);
    }
}
