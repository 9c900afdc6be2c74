//! nextjs-health-route-cached: the health route file gets
//! `export const dynamic = "force-dynamic"`, so Next.js ≤14 runs the
//! handler on every request instead of serving what `next build` stored.
//!
//! The export goes right above the cited `GET` handler (above the comments
//! that introduce it), written with the file's own quotes and semicolons.
//! Safe: the route now answers from the running process, which is what a
//! health check means; nothing else in the app changes.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{is_blank_or_comment, LineEdits, Text};
use super::{cited_line_now, cited_text};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "route file")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let after = fix_text(&text, line)?;
    b.modify(&path, after);
    b.manual("When the app moves to Next.js 15 this export is the default; on Next.js 16 with `cacheComponents` it is an error: replace it with `await connection()` in the handler then.");
    Ok(())
}

/// The route file with the `dynamic` export above the `GET` handler on
/// line `get_line` (or wherever `export … GET` is now).
pub fn fix_text(text: &str, get_line: u32) -> Result<String, String> {
    if text.contains("export const dynamic") {
        return Err("the file already exports `dynamic`: check its value by hand".to_string());
    }
    let lines = Text::new(text);
    let is_get = |l: &str| {
        let t = l.trim_start();
        t.starts_with("export") && t.contains("GET")
    };
    let at = if lines.line(get_line).is_some_and(is_get) {
        get_line
    } else {
        (1..=lines.len())
            .find(|n| lines.line(*n).is_some_and(is_get))
            .ok_or("the file has no `export … GET` line any more")?
    };
    // Above the comments (a JSDoc block) that belong to the handler.
    let mut before = at;
    while before > 1
        && lines
            .line(before - 1)
            .is_some_and(|l| !l.trim().is_empty() && is_blank_or_comment_js(l))
    {
        before -= 1;
    }
    let double = text.matches('"').count() >= text.matches('\'').count();
    let quote = if double { '"' } else { '\'' };
    let semi = if statements_end_in_semicolons(text) {
        ";"
    } else {
        ""
    };
    let export = format!("export const dynamic = {quote}force-dynamic{quote}{semi}");
    let mut edits = LineEdits::default();
    let previous = lines.line(before).unwrap_or_default().to_string();
    edits.replace(before, vec![export, String::new(), previous]);
    Ok(edits.apply(text))
}

/// A line of a JS/TS comment block (`//`, `/**`, ` * …`, ` */`).
fn is_blank_or_comment_js(line: &str) -> bool {
    let t = line.trim_start();
    is_blank_or_comment(line) || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
}

/// Whether most statement lines of the file end in `;`.
fn statements_end_in_semicolons(text: &str) -> bool {
    let statements = text.lines().filter(|l| {
        let t = l.trim();
        t.starts_with("import ") || t.starts_with("return ") || t.starts_with("const ")
    });
    let (mut with, mut total) = (0, 0);
    for l in statements {
        total += 1;
        if l.trim_end().ends_with(';') {
            with += 1;
        }
    }
    total == 0 || with * 2 >= total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_goes_above_the_handler_and_its_comment() {
        let route = "import { NextResponse } from \"next/server\";\n\n/** Liveness. */\nexport async function GET() {\n  return NextResponse.json({ status: \"ok\" });\n}\n";
        let out = fix_text(route, 4).expect("fixed");
        assert_eq!(out, "import { NextResponse } from \"next/server\";\n\nexport const dynamic = \"force-dynamic\";\n\n/** Liveness. */\nexport async function GET() {\n  return NextResponse.json({ status: \"ok\" });\n}\n");
        assert!(fix_text(&out, 6).is_err(), "a second time: nothing to add");
        let plain = "export function GET() {\n  return Response.json({ ok: true })\n}\n";
        assert_eq!(
            fix_text(plain, 1).expect("fixed"),
            "export const dynamic = \"force-dynamic\"\n\nexport function GET() {\n  return Response.json({ ok: true })\n}\n"
        );
        let single =
            "import { x } from 'y';\nexport const GET = () => Response.json({ ok: 'yes' });\n";
        assert!(fix_text(single, 2)
            .expect("fixed")
            .contains("export const dynamic = 'force-dynamic';\n\nexport const GET"));
    }
}
