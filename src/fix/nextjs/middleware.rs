//! Health routes must answer probes without authentication. A Next.js
//! middleware (`middleware.ts`, `proxy.ts` since Next 16) runs before every
//! route its `config.matcher` matches; an auth middleware (NextAuth's
//! `auth`, `withAuth`) answers those with a redirect to the sign-in page, and
//! a probe that follows redirects then passes whatever the database does.
//!
//! The matcher's sources are path-to-regexp patterns (with regex groups).
//! Each source is compiled the way Next compiles it and tested against the
//! health paths; a source that matches them is rewritten to exclude
//! `/api/health/` only when the rewrite provably keeps every other path the
//! same (checked on a sample of paths), else the fix says exactly what to
//! change by hand. A middleware without a matcher runs everywhere: it gets
//! one that excludes the health routes and nothing else.

use crate::fix::profile::Profile;
use crate::fix::Builder;

/// The excluded prefix, without its leading slash (the lookahead form).
const EXCLUDED: &str = "api/health/";

/// Paths whose answer (middleware runs or not) a rewrite must not change.
const SAMPLE: &[&str] = &[
    "/",
    "/dashboard",
    "/dashboard/a/b",
    "/login",
    "/settings/profile",
    "/api",
    "/api/auth/session",
    "/api/auth/callback/github",
    "/api/trpc/post.list",
    "/api/healthz",
    "/api/health",
    "/trpc/x",
    "/_next/static/chunks/main.js",
    "/_next/image",
    "/favicon.ico",
    "/logo.png",
    "/robots.txt",
    "/en/about",
];

/// The middleware file Next loads for the app: `middleware` or (Next 16)
/// `proxy`, next to `app/`/`pages/` (so in `src/` when they are).
pub fn find(p: &Profile, b: &Builder) -> Option<String> {
    let src = p
        .app_router
        .as_deref()
        .is_some_and(|a| a.starts_with("src/"))
        || (p.app_router.is_none()
            && p.pages_router
                .as_deref()
                .is_some_and(|a| a.starts_with("src/")));
    let dir = if src { "src/" } else { "" };
    for name in ["middleware", "proxy"] {
        for ext in ["ts", "js", "mjs", "tsx", "jsx"] {
            let rel = p.join(&format!("{dir}{name}.{ext}"));
            if b.exists(&rel) {
                return Some(rel);
            }
        }
    }
    None
}

/// Keeps `paths` (the health routes) out of the app's middleware: edits
/// the matcher, or adds one, or says what to change.
pub fn exclude(p: &Profile, b: &mut Builder, paths: &[&str]) {
    let Some(file) = find(p, b) else { return };
    let Some(text) = b.read(&file) else { return };
    match plan_edit(&text, paths) {
        Ok(Outcome::Untouched) => b.assume(format!(
            "{file}: its matcher does not run it on {}, so the health routes need no authentication.",
            paths.join(" or ")
        )),
        Ok(Outcome::Edited(after, what)) => {
            b.modify(&file, after);
            b.assume(format!(
                "{file}: {what}, so probes reach {} without authentication (nothing else changes which paths it runs on).",
                paths.join(" and ")
            ));
        }
        Err(why) => {
            b.manual(format!(
                "{file} runs on {} and seaworthy cannot edit its matcher safely ({why}): exclude them, e.g. with the matcher source \"/((?!{EXCLUDED}).*)\" or `{EXCLUDED}|` added inside an existing `(?!…)`; until then the middleware (auth) answers the probes.",
                paths.join(" and ")
            ));
            b.plan.not_wired = Some(format!(
                "{file} (middleware) still runs on the health routes: see the to-do"
            ));
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Untouched,
    /// The new text and what changed.
    Edited(String, String),
}

/// The edit that keeps the middleware in `text` off `paths`.
pub fn plan_edit(text: &str, paths: &[&str]) -> Result<Outcome, String> {
    let Some(config) = find_word(text, "config", |before, after| {
        before.trim_end().ends_with("const") && after.trim_start().starts_with([':', '='])
    }) else {
        if find_word(text, "config", |_, _| true).is_some() {
            return Err("it names a `config` seaworthy cannot read".to_string());
        }
        // No matcher: the middleware runs on every path.
        let mut out = text.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!(
            "\n// Health routes answer probes without authentication (seaworthy fix).\nexport const config = {{\n  matcher: [\"/((?!{EXCLUDED}).*)\"],\n}};\n"
        ));
        return Ok(Outcome::Edited(
            out,
            format!("the middleware had no matcher (it ran on every path); it now runs on every path but /{EXCLUDED}…"),
        ));
    };
    let Some(matcher) = find_word(&text[config..], "matcher", |_, after| {
        after.trim_start().starts_with(':')
    })
    .map(|m| m + config) else {
        return Err("its `config` has no `matcher` seaworthy can find".to_string());
    };
    let colon = matcher + text[matcher..].find(':').ok_or("no matcher value")?;
    let value_start = colon
        + 1
        + text[colon + 1..]
            .find(|c: char| !c.is_whitespace())
            .ok_or("no matcher value")?;
    let value_end = match text[value_start..].chars().next() {
        Some('[') => value_start + closing(&text[value_start..]).ok_or("unbalanced matcher")?,
        Some('"' | '\'' | '`') => {
            let (_, len) = literal(&text[value_start..]).ok_or("unterminated string")?;
            value_start + len
        }
        _ => return Err("its matcher is not a string or an array literal".to_string()),
    };
    let region = &text[value_start..value_end];
    let mut out = String::new();
    let mut last = 0;
    let mut changed: Vec<String> = Vec::new();
    let mut i = 0;
    while i < region.len() {
        let c = region[i..].chars().next().unwrap_or(' ');
        if matches!(c, '"' | '\'' | '`') {
            let (value, len) = literal(&region[i..]).ok_or("unterminated string")?;
            if value.starts_with('/') {
                if c == '`' && value.contains("${") {
                    return Err("a matcher source is a template with substitutions".to_string());
                }
                let runs = matches_any(&value, paths)?;
                if runs {
                    let new = rewrite(&value, paths).ok_or_else(|| {
                        format!("its matcher source \"{value}\" runs it on them and has no form seaworthy rewrites")
                    })?;
                    out.push_str(&region[last..i]);
                    out.push_str(&quote(&new, c));
                    last = i + len;
                    changed.push(format!("\"{value}\" → \"{new}\""));
                }
            }
            i += len;
            continue;
        }
        if region[i..].starts_with("//") {
            i += region[i..].find('\n').unwrap_or(region.len() - i);
            continue;
        }
        i += c.len_utf8();
    }
    if changed.is_empty() {
        return Ok(Outcome::Untouched);
    }
    out.push_str(&region[last..]);
    let after = format!("{}{}{}", &text[..value_start], out, &text[value_end..]);
    Ok(Outcome::Edited(
        after,
        format!("its matcher excludes /{EXCLUDED} ({})", changed.join(", ")),
    ))
}

/// Byte offset of `word` as a whole identifier outside strings and
/// comments, where `accept(text before, text after)` holds.
fn find_word(text: &str, word: &str, accept: impl Fn(&str, &str) -> bool) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next()?;
        if matches!(c, '"' | '\'' | '`') {
            i += literal(rest).map(|(_, len)| len).unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("/*") {
            i += rest.find("*/").map(|e| e + 2).unwrap_or(rest.len());
            continue;
        }
        if let Some(tail) = rest.strip_prefix(word) {
            let before_ok = i == 0 || !is_ident(bytes[i - 1] as char);
            let after_ok = tail.chars().next().is_none_or(|n| !is_ident(n));
            if before_ok && after_ok && accept(&text[..i], tail) {
                return Some(i);
            }
        }
        i += c.len_utf8();
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The offset just past the bracket closing the one `text` starts with.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut i = 0;
    while i < text.len() {
        let c = text[i..].chars().next()?;
        match c {
            '"' | '\'' | '`' => {
                i += literal(&text[i..])?.1;
                continue;
            }
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    None
}

/// A string literal at the start of `text`: its value and its length.
fn literal(text: &str) -> Option<(String, usize)> {
    let mut chars = text.char_indices();
    let (_, q) = chars.next()?;
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            let (_, n) = chars.next()?;
            value.push(match n {
                'n' => '\n',
                't' => '\t',
                other => other,
            });
        } else if c == q {
            return Some((value, i + 1));
        } else {
            value.push(c);
        }
    }
    None
}

/// `value` as a literal with quote `q`.
fn quote(value: &str, q: char) -> String {
    let mut out = String::new();
    out.push(q);
    for c in value.chars() {
        if c == '\\' || c == q {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(q);
    out
}

fn matches_any(source: &str, paths: &[&str]) -> Result<bool, String> {
    let re = compile(source).ok_or_else(|| {
        format!("its matcher source \"{source}\" is not a pattern seaworthy can read")
    })?;
    Ok(paths.iter().any(|p| re.is_match(p).unwrap_or(true)))
}

/// A rewrite of `source` that no longer matches `paths` and matches every
/// sample path exactly as before.
pub fn rewrite(source: &str, paths: &[&str]) -> Option<String> {
    let original = compile(source)?;
    let mut candidates = Vec::new();
    // `/((?!a|b).*)`: one more alternative in the lookahead.
    if let Some(rest) = source.strip_prefix("/((?!") {
        candidates.push(format!("/((?!{EXCLUDED}|{rest}"));
    }
    // `/(api|trpc)(.*)`, `/(.*)`: a lookahead before the first group.
    if source.starts_with("/(") && !source.starts_with("/(?") {
        let end = 1 + closing(&source[1..])?;
        let group = &source[2..end - 1];
        candidates.push(format!("/((?!{EXCLUDED})(?:{group})){}", &source[end..]));
    }
    // `/:path*` and the like: every path.
    candidates.push(format!("/((?!{EXCLUDED}).*)"));
    candidates.into_iter().find(|candidate| {
        let Some(re) = compile(candidate) else {
            return false;
        };
        let is = |re: &fancy_regex::Regex, p: &str| re.is_match(p).unwrap_or(true);
        paths.iter().all(|p| !is(&re, p)) && SAMPLE.iter().all(|p| is(&re, p) == is(&original, p))
    })
}

/// A matcher source compiled the way path-to-regexp (which Next uses)
/// reads it: `:name` parameters with `?`/`*`/`+`, `(regex)` groups, a `/`
/// before a parameter or group belongs to it; case-insensitive, an
/// optional trailing slash.
pub fn compile(source: &str) -> Option<fancy_regex::Regex> {
    const SEGMENT: &str = "[^\\/#\\?]+?";
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::from("(?i)^");
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prefix = c == '/' && matches!(chars.get(i + 1), Some(':') | Some('('));
        let start = if prefix { i + 1 } else { i };
        let token: Option<(String, usize)> = match chars.get(start) {
            Some(':') => {
                let mut j = start + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                if j == start + 1 {
                    return None;
                }
                if chars.get(j) == Some(&'(') {
                    let (pattern, end) = group(&chars, j)?;
                    Some((pattern, end))
                } else {
                    Some((SEGMENT.to_string(), j))
                }
            }
            Some('(') => group(&chars, start),
            _ => None,
        };
        match token {
            Some((pattern, end)) => {
                let modifier = chars
                    .get(end)
                    .copied()
                    .filter(|m| matches!(m, '?' | '*' | '+'));
                let slash = if prefix { "\\/" } else { "" };
                let one = format!("{slash}(?:{pattern})");
                out.push_str(&match modifier {
                    None => one,
                    Some('?') => format!("(?:{one})?"),
                    Some('*') => format!("(?:{one}(?:\\/(?:{pattern}))*)?"),
                    Some(_) => format!("(?:{one}(?:\\/(?:{pattern}))*)"),
                });
                i = end + usize::from(modifier.is_some());
            }
            None => {
                if c == '\\' {
                    let n = chars.get(i + 1)?;
                    out.push_str(&fancy_regex::escape(&n.to_string()));
                    i += 2;
                    continue;
                }
                out.push_str(&fancy_regex::escape(&c.to_string()));
                i += 1;
            }
        }
    }
    out.push_str("[\\/#\\?]?$");
    fancy_regex::Regex::new(&out).ok()
}

/// The regex inside the group opened at `open`, and the index past it.
fn group(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut depth = 0;
    let mut j = open;
    let mut pattern = String::new();
    while j < chars.len() {
        let c = chars[j];
        if c == '\\' {
            pattern.push(c);
            pattern.push(*chars.get(j + 1)?);
            j += 2;
            continue;
        }
        if c == '(' {
            depth += 1;
            if depth > 1 && chars.get(j + 1) != Some(&'?') {
                // path-to-regexp refuses capturing groups inside a pattern.
                return None;
            }
        } else if c == ')' {
            depth -= 1;
            if depth == 0 {
                return Some((pattern, j + 1));
            }
        }
        if depth >= 1 && !(depth == 1 && c == '(') {
            pattern.push(c);
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEALTH: &[&str] = &["/api/health/live", "/api/health/ready"];

    fn is(source: &str, path: &str) -> bool {
        compile(source)
            .expect("compiles")
            .is_match(path)
            .expect("matches")
    }

    #[test]
    fn compiles_next_matchers() {
        assert!(is("/dashboard/:path*", "/dashboard"));
        assert!(is("/dashboard/:path*", "/dashboard/a/b"));
        assert!(!is("/dashboard/:path*", "/dashboards"));
        assert!(is("/((?!api|_next/static|favicon.ico).*)", "/settings"));
        assert!(!is(
            "/((?!api|_next/static|favicon.ico).*)",
            "/api/health/live"
        ));
        assert!(is("/(api|trpc)(.*)", "/api/health/live"));
        assert!(is("/reservations/:id", "/reservations/4"));
        assert!(!is("/reservations/:id", "/reservations"));
    }

    #[test]
    fn rewrites_lookaheads_and_groups_and_keeps_the_rest() {
        let clerk = "/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)";
        let out = rewrite(clerk, HEALTH).expect("rewritten");
        assert!(out.starts_with("/((?!api/health/|_next|"), "{out}");
        assert_eq!(
            rewrite("/(api|trpc)(.*)", HEALTH).as_deref(),
            Some("/((?!api/health/)(?:api|trpc))(.*)")
        );
        assert_eq!(
            rewrite("/:path*", HEALTH).as_deref(),
            Some("/((?!api/health/).*)")
        );
        // No rewrite keeps /api/health itself out while keeping the rest.
        assert_eq!(rewrite("/api/:path*", HEALTH), None);
    }

    #[test]
    fn edits_the_matcher_in_place() {
        let text = "export default auth;\n\nexport const config = {\n  matcher: [\n    '/((?!_next|[^?]*\\\\.(?:css|js)).*)',\n    '/(api|trpc)(.*)',\n  ],\n}\n";
        let Outcome::Edited(out, _) = plan_edit(text, HEALTH).expect("editable") else {
            panic!("not edited")
        };
        assert!(
            out.contains("    '/((?!api/health/|_next|[^?]*\\\\.(?:css|js)).*)',\n    '/((?!api/health/)(?:api|trpc))(.*)',\n"),
            "{out}"
        );
        let narrow = "export const config = { matcher: [\"/dashboard/:path*\", \"/login\"] };\n";
        assert_eq!(plan_edit(narrow, HEALTH), Ok(Outcome::Untouched));
        let none = "export { default } from \"next-auth/middleware\";\n";
        let Outcome::Edited(out, _) = plan_edit(none, HEALTH).expect("editable") else {
            panic!("not edited")
        };
        assert!(
            out.ends_with("export const config = {\n  matcher: [\"/((?!api/health/).*)\"],\n};\n")
        );
        let api = "export const config = { matcher: \"/api/:path*\" };\n";
        assert!(plan_edit(api, HEALTH).is_err());
    }
}
