//! Prisma 7 talks to the database through a driver adapter
//! (`@prisma/adapter-better-sqlite3`, `@prisma/adapter-libsql`, …) that the
//! app constructs next to its `PrismaClient`. Moving the datasource from
//! SQLite to PostgreSQL therefore also swaps the adapter package and its
//! construction for `@prisma/adapter-pg`; otherwise the app still opens a
//! SQLite file at run time.

use super::profile::Profile;
use super::Builder;

/// SQLite driver adapters and the class each package exports.
const SQLITE_ADAPTERS: &[(&str, &str)] = &[
    ("@prisma/adapter-better-sqlite3", "PrismaBetterSqlite3"),
    ("@prisma/adapter-libsql", "PrismaLibSql"),
    ("@prisma/adapter-libsql", "PrismaLibSQL"),
];

const PG_ADAPTER: &str = "@prisma/adapter-pg";
const PG_CLASS: &str = "PrismaPg";
/// The `pg` major the adapter is built against (its own dependency range).
const PG_RANGE: &str = "^8.16.3";

/// Swaps a SQLite driver adapter for `@prisma/adapter-pg` in package.json and
/// in the module that creates the client. Nothing to do for apps without an
/// adapter (Prisma ≤ 6 with its own engines).
pub fn swap_to_postgres(p: &Profile, b: &mut Builder) {
    let manifest = crate::apps::join(&p.dir, "package.json");
    let Some(text) = b.read(&manifest) else {
        return;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    let deps = json.get("dependencies");
    let Some((package, range)) = SQLITE_ADAPTERS.iter().find_map(|(pkg, _)| {
        deps.and_then(|d| d.get(*pkg))
            .and_then(|v| v.as_str())
            .map(|r| (*pkg, r.to_string()))
    }) else {
        return;
    };
    let mut edited = text.clone();
    if let Ok(next) = remove_dependency(&edited, package) {
        edited = next;
    }
    for (name, version) in [(PG_ADAPTER, range.as_str()), ("pg", PG_RANGE)] {
        match super::nextjs::sentry::add_dependency(&edited, name, version) {
            Ok(next) => edited = next,
            Err(why) => {
                b.manual(format!(
                    "Add `{name}@{version}` to package.json ({why}) and remove `{package}`."
                ));
                return;
            }
        }
    }
    b.modify(&manifest, edited);

    let client = p.prisma.as_ref().and_then(|pr| pr.client_module.as_ref());
    let swapped = client.and_then(|(path, _)| {
        let source = b.read(path)?;
        let next = swap_in_source(&source, package)?;
        Some((path.clone(), next))
    });
    match swapped {
        Some((path, next)) => {
            b.modify(&path, next);
            b.assume(format!(
                "Prisma driver adapter: `{package}` replaced by `{PG_ADAPTER}` ({range}) with `pg`, constructed in {path} from DATABASE_URL."
            ));
        }
        None => b.manual(format!(
            "Replace the `{package}` adapter with `{PG_ADAPTER}` where the PrismaClient is created: `new {PG_CLASS}({{ connectionString: process.env.DATABASE_URL }})`."
        )),
    }
}

/// The module text with the SQLite adapter's import and construction
/// replaced; `None` when the module does not construct it.
fn swap_in_source(source: &str, package: &str) -> Option<String> {
    let quoted = [format!("\"{package}\""), format!("'{package}'")];
    let quote = quoted.iter().find(|q| source.contains(q.as_str()))?;
    let class = SQLITE_ADAPTERS
        .iter()
        .filter(|(pkg, _)| *pkg == package)
        .map(|(_, class)| *class)
        .find(|class| source.contains(&format!("new {class}(")))?;
    let replacement = if quote.starts_with('"') {
        format!("\"{PG_ADAPTER}\"")
    } else {
        format!("'{PG_ADAPTER}'")
    };
    let mut out = source.replace(quote.as_str(), &replacement);
    out = replace_word(&out, class, PG_CLASS);
    // `new PrismaPg(<sqlite options>)` → the PostgreSQL connection string.
    let call = format!("new {PG_CLASS}(");
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find(&call) {
        let args_start = at + call.len();
        let close = matching_paren(&rest[args_start..])?;
        result.push_str(&rest[..args_start]);
        result.push_str("{ connectionString: process.env.DATABASE_URL }");
        rest = &rest[args_start + close..];
    }
    result.push_str(rest);
    Some(result)
}

/// Offset of the `)` that closes an argument list starting at `text[0]`.
fn matching_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '{' | '[' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Replaces `word` where it stands as a whole identifier.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(word) {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if before.is_some_and(is_ident) || after.is_some_and(is_ident) {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + word.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Removes `"name": …` from `dependencies`, keeping the file's layout.
fn remove_dependency(text: &str, name: &str) -> Result<String, String> {
    let key = format!("\"{name}\"");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("\"dependencies\""))
        .ok_or("no dependencies")?;
    let at = lines[start..]
        .iter()
        .position(|l| l.trim_start().starts_with(&key))
        .map(|i| start + i)
        .ok_or("not a dependency")?;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let last_entry = !lines[at].trim_end().ends_with(',');
    out.remove(at);
    if last_entry && at > start + 1 {
        let prev = &mut out[at - 1];
        let body = prev.trim_end_matches('\n').trim_end();
        if let Some(stripped) = body.strip_suffix(',') {
            *prev = format!("{stripped}\n");
        }
    }
    let result = out.concat();
    serde_json::from_str::<serde_json::Value>(&result)
        .map_err(|e| format!("removing {name} would break package.json ({e})"))?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_adapter_in_the_client_module() {
        let src = "import { PrismaBetterSqlite3 } from \"@prisma/adapter-better-sqlite3\";\nimport { PrismaClient } from \"../generated/prisma/client\";\n\nconst adapter = new PrismaBetterSqlite3({ url: process.env.DATABASE_URL ?? \"file:./dev.db\" });\nexport const prisma = new PrismaClient({ adapter });\n";
        let out = swap_in_source(src, "@prisma/adapter-better-sqlite3").expect("swapped");
        assert_eq!(
            out,
            "import { PrismaPg } from \"@prisma/adapter-pg\";\nimport { PrismaClient } from \"../generated/prisma/client\";\n\nconst adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL });\nexport const prisma = new PrismaClient({ adapter });\n"
        );
        assert!(
            swap_in_source("export const x = 1;\n", "@prisma/adapter-better-sqlite3").is_none()
        );
    }

    #[test]
    fn removes_a_dependency_keeping_json_valid() {
        let text = "{\n  \"dependencies\": {\n    \"@prisma/adapter-better-sqlite3\": \"7.9.1\",\n    \"zod\": \"^3\"\n  }\n}\n";
        assert_eq!(
            remove_dependency(text, "@prisma/adapter-better-sqlite3").expect("ok"),
            "{\n  \"dependencies\": {\n    \"zod\": \"^3\"\n  }\n}\n"
        );
        let last = "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"2\"\n  }\n}\n";
        assert_eq!(
            remove_dependency(last, "b").expect("ok"),
            "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}\n"
        );
    }
}
