//! health-check-without-timeout: each awaited back-end call of the cited
//! health handler (`await prisma.$queryRaw…`, `await redis.ping()`,
//! `(await pool.query(…))`) is raced against a 2 s timer —
//! `await withTimeout(redis.ping(), 2000)` — by a helper added at the end of
//! the file (TypeScript or JavaScript, like the file), the same budget the
//! generated handlers give each check.
//!
//! A timed-out call rejects, so it must land where a failure is answered:
//! inside a `try` block of the handler, or in a route file whose framework
//! turns a thrown error into a 500 (Next.js, SvelteKit, Remix, Nuxt). A call
//! outside both in a code-registered route (Express 4 leaves the rejection
//! unhandled, which stops Node) is refused, and so is an awaited expression
//! that does not end on its line.
//!
//! Unsafe: a back-end slower than 2 s now fails the check where it used to
//! pass late.

use crate::facts::code::{tokenize, Lang, Token};
use crate::facts::source::SourceCode;
use crate::finding::Finding;
use crate::rules::observability::health_handlers::{backend_calls, health_handlers};
use crate::rules::{AppContext, RepoContext};

use super::cited_text;
use crate::fix::Builder;

/// The milliseconds each check may take: the generated handlers' budget,
/// under the 3 s probe timeout the generated probes set.
const BUDGET_MS: u32 = 2000;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "health handler")?;
    let app = finding
        .app
        .as_ref()
        .and_then(|p| repo.apps.iter().find(|a| &a.path == p))
        .ok_or("the finding names no app")?;
    let cx = AppContext::new(repo, app);
    let file_routed = health_handlers(&cx)
        .iter()
        .find(|h| repo.index.get(h.file).rel == path)
        .map(|h| h.file_routed)
        .ok_or_else(|| format!("{path} is not a health handler any more"))?;
    let typed = [".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|e| path.ends_with(e));
    let (after, wrapped) = fix_text(&text, file_routed, typed)?;
    b.modify(&path, after);
    b.assume(format!(
        "Each back-end call of {path} fails after {BUDGET_MS} ms ({wrapped} wrapped in `withTimeout`), under the 3 s probe timeout of the generated probes."
    ));
    Ok(())
}

/// Line ranges of the `try { … }` blocks of a file.
fn try_blocks(src: &SourceCode) -> Vec<(u32, u32)> {
    let t = &src.tokens;
    let mut out = Vec::new();
    for (i, tok) in t.iter().enumerate() {
        if !matches!(&tok.token, Token::Ident(w) if w == "try") {
            continue;
        }
        if !matches!(t.get(i + 1).map(|s| &s.token), Some(Token::Punct('{'))) {
            continue;
        }
        let mut depth = 0i32;
        for close in &t[i + 1..] {
            match close.token {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((tok.line, close.line));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Where the expression after `await ` at byte `start` of `line` ends: a
/// member/call chain (`a.b?.c(…)[…]`, tagged templates), brackets balanced.
/// `None` when it does not end on the line.
fn chain_end(line: &str, start: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = start;
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => quote = Some(c),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ if depth > 0 => {}
            b'.' | b'$' | b'_' | b'?' if c != b'?' || bytes.get(i + 1) == Some(&b'.') => {
                if c == b'?' {
                    i += 1;
                }
            }
            _ if c.is_ascii_alphanumeric() => {}
            _ => return Some(i),
        }
        i += 1;
    }
    (depth == 0 && quote.is_none()).then_some(bytes.len())
}

/// The helper, in the file's language.
fn helper(typed: bool) -> String {
    let (generic, params, ret) = if typed {
        ("<T>", "work: PromiseLike<T>, ms: number", ": Promise<T>")
    } else {
        ("", "work, ms", "")
    };
    let promise = if typed {
        "new Promise<T>"
    } else {
        "new Promise"
    };
    format!(
        "\n// Added by seaworthy fix: a back-end call that hangs fails the check after `ms`\n// instead of holding the probe until the orchestrator's own timeout.\nfunction withTimeout{generic}({params}){ret} {{\n  return {promise}((resolve, reject) => {{\n    const timer = setTimeout(() => reject(new Error(`timed out after ${{ms}} ms`)), ms);\n    Promise.resolve(work).then(\n      (value) => {{\n        clearTimeout(timer);\n        resolve(value);\n      }},\n      (error) => {{\n        clearTimeout(timer);\n        reject(error);\n      }},\n    );\n  }});\n}}\n"
    )
}

/// The handler with its awaited back-end calls raced against the budget;
/// how many it wrapped.
pub fn fix_text(text: &str, file_routed: bool, typed: bool) -> Result<(String, usize), String> {
    let src = SourceCode {
        lang: Lang::Js,
        tokens: tokenize(text, Lang::Js),
    };
    if src
        .tokens
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(w) if w == "withTimeout"))
    {
        return Err("the file has a `withTimeout` already".into());
    }
    let mut calls = backend_calls(&src);
    calls.dedup();
    if calls.is_empty() {
        return Err("no awaited back-end call in the file any more".into());
    }
    let tries = try_blocks(&src);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut wrapped = 0;
    for line_no in calls {
        let idx = usize::try_from(line_no)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        let Some(line) = lines.get(idx) else { continue };
        let in_try = tries.iter().any(|(a, z)| *a <= line_no && line_no <= *z);
        if !in_try && !file_routed {
            return Err(format!(
                "line {line_no}: the call is outside a `try` block of a route registered in code, where a timed-out call would be an unhandled rejection: wrap the checks in try/catch answering 503 first"
            ));
        }
        let Some(at) = line.find("await ") else {
            return Err(format!(
                "line {line_no}: the back-end call is not awaited on its line; race it against a timer by hand"
            ));
        };
        let start = at + "await ".len();
        let end = chain_end(line, start).ok_or_else(|| {
            format!("line {line_no}: the awaited call does not end on its line; race it against a timer by hand")
        })?;
        let expr = line[start..end].trim_end();
        if expr.is_empty() || line[at + 6..].matches("await ").count() > 0 {
            return Err(format!(
                "line {line_no}: more than one await on the line; race each call against a timer by hand"
            ));
        }
        let rest = &line[start + expr.len()..];
        let new = format!(
            "{}await withTimeout({expr}, {BUDGET_MS}){rest}",
            &line[..at]
        );
        lines[idx] = new;
        wrapped += 1;
    }
    let mut after = lines.join("\n");
    after.push('\n');
    after.push_str(&helper(typed));
    if text.contains("\r\n") {
        after = after.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    Ok((after, wrapped))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &str = "import { prisma } from \"@/lib/prisma\";\nimport { redis } from \"@/lib/redis\";\n\nexport async function GET() {\n  await prisma.$queryRaw`SELECT 1`;\n  const pong = (await redis.ping()) === \"PONG\";\n  return Response.json({ status: pong ? \"pass\" : \"fail\" });\n}\n";

    #[test]
    fn route_file_calls_are_raced_against_the_budget() {
        let (out, n) = fix_text(NEXT, true, true).expect("fixed");
        assert_eq!(n, 2);
        assert!(
            out.contains("  await withTimeout(prisma.$queryRaw`SELECT 1`, 2000);\n"),
            "{out}"
        );
        assert!(
            out.contains("  const pong = (await withTimeout(redis.ping(), 2000)) === \"PONG\";\n"),
            "{out}"
        );
        assert!(
            out.contains("function withTimeout<T>(work: PromiseLike<T>, ms: number): Promise<T> {"),
            "{out}"
        );
        assert!(fix_text(&out, true, true).is_err(), "a second time");
    }

    #[test]
    fn express_calls_outside_try_are_refused_and_inside_try_wrapped() {
        let bare = "router.get(\"/health\", async (req, res) => {\n  await pool.query(\"SELECT 1\");\n  res.json({ ok: true });\n});\n";
        let err = fix_text(bare, false, false).expect_err("no try");
        assert!(err.contains("line 2") && err.contains("try"), "{err}");
        let tried = "router.get(\"/health\", async (req, res) => {\n  try {\n    await pool.query(\"SELECT 1\");\n    res.json({ ok: true });\n  } catch (e) {\n    res.status(503).json({ ok: false });\n  }\n});\n";
        let (out, _) = fix_text(tried, false, false).expect("fixed");
        assert!(
            out.contains("    await withTimeout(pool.query(\"SELECT 1\"), 2000);\n"),
            "{out}"
        );
        assert!(out.contains("function withTimeout(work, ms) {"), "{out}");
    }
}
