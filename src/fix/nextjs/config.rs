//! Minimal text edits to next.config.{js,mjs,ts}: add a top-level property,
//! wrap the export in `withSentryConfig`. The file is tokenized (strings
//! and comments are never mistaken for code) to find the config object;
//! the edit itself inserts whole lines so the rest of the file stays as the
//! user wrote it. A config seaworthy cannot read with confidence (a
//! function, a spread of several objects, an object opened mid-line) is
//! refused with a reason instead of being guessed at.

use crate::facts::code::{tokenize, Lang, Spanned, Token};

/// Whether the config is CommonJS (`module.exports`) or an ES module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    CommonJs,
    Esm,
}

struct Export {
    /// Index of the first token after `module.exports =` / `export default`.
    value: usize,
    module: Module,
    /// Line of the `module`/`export` token.
    line: u32,
}

fn find_export(tokens: &[Spanned]) -> Option<Export> {
    let is = |i: usize, t: &Token| tokens.get(i).map(|s| &s.token) == Some(t);
    let ident = |i: usize, name: &str| is(i, &Token::Ident(name.to_string()));
    for (i, token) in tokens.iter().enumerate() {
        if ident(i, "module")
            && is(i + 1, &Token::Punct('.'))
            && ident(i + 2, "exports")
            && is(i + 3, &Token::Punct('='))
        {
            return Some(Export {
                value: i + 4,
                module: Module::CommonJs,
                line: token.line,
            });
        }
        if ident(i, "export") && ident(i + 1, "default") {
            return Some(Export {
                value: i + 2,
                module: Module::Esm,
                line: token.line,
            });
        }
    }
    None
}

/// The line of the `{` that opens the config object.
fn config_object_line(tokens: &[Spanned]) -> Result<u32, String> {
    let export = find_export(tokens)
        .ok_or("it has no `module.exports =` or `export default` seaworthy can find")?;
    let at = |i: usize| tokens.get(i).map(|s| &s.token);
    let mut i = export.value;
    // A wrapper call: `withX(nextConfig, …)` or `withX({ … })`; the config
    // is the first argument. A curried wrapper, `withX(options)(config)`,
    // takes the config in its last call.
    while let (Some(Token::Ident(_)), Some(Token::Punct('('))) = (at(i), at(i + 1)) {
        let mut open = i + 1;
        let mut close = matching(tokens, open).ok_or("unbalanced parentheses")?;
        while at(close + 1) == Some(&Token::Punct('(')) {
            open = close + 1;
            close = matching(tokens, open).ok_or("unbalanced parentheses")?;
        }
        i = open + 1;
    }
    match at(i) {
        Some(Token::Punct('{')) => Ok(tokens[i].line),
        Some(Token::Ident(name))
            if !matches!(name.as_str(), "async" | "function" | "defineConfig") =>
        {
            declaration_object_line(tokens, name)
                .ok_or_else(|| format!("`{name}` is not declared as an object literal in it"))
        }
        _ => Err("it exports a function or an expression, not an object literal".to_string()),
    }
}

/// The index of the bracket that closes the one at `open`.
fn matching(tokens: &[Spanned], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// The `{` line of `const NAME = {` or `const NAME: NextConfig = {`.
fn declaration_object_line(tokens: &[Spanned], name: &str) -> Option<u32> {
    for i in 1..tokens.len() {
        let decl = matches!(&tokens[i - 1].token, Token::Ident(k) if k == "const" || k == "let" || k == "var");
        if !decl || tokens[i].token != Token::Ident(name.to_string()) {
            continue;
        }
        let mut j = i + 1;
        // Skip a type annotation up to `=`.
        while j < tokens.len() && tokens[j].token != Token::Punct('=') {
            if matches!(tokens[j].token, Token::Punct(';' | '{' | '(')) {
                return None;
            }
            j += 1;
        }
        return match tokens.get(j + 1) {
            Some(s) if s.token == Token::Punct('{') => Some(s.line),
            _ => None,
        };
    }
    None
}

/// Whether the config object has the top-level key `key` (approximately:
/// any `key:` in the file).
pub fn has_key(text: &str, key: &str) -> bool {
    let tokens = tokenize(text, Lang::Js);
    tokens.windows(2).any(|w| {
        matches!(&w[0].token, Token::Ident(k) | Token::Str(k) if k == key)
            && w[1].token == Token::Punct(':')
    })
}

/// The string value of `key: "value"` in the config (the first one).
pub fn string_value(text: &str, key: &str) -> Option<String> {
    let tokens = tokenize(text, Lang::Js);
    tokens
        .windows(3)
        .find_map(|w| match (&w[0].token, &w[1].token, &w[2].token) {
            (Token::Ident(k) | Token::Str(k), Token::Punct(':'), Token::Str(v)) if k == key => {
                Some(v.clone())
            }
            _ => None,
        })
}

pub fn module_kind(path: &str, text: &str) -> Module {
    if path.ends_with(".mjs") || path.ends_with(".ts") || path.ends_with(".mts") {
        return Module::Esm;
    }
    let tokens = tokenize(text, Lang::Js);
    find_export(&tokens)
        .map(|e| e.module)
        .unwrap_or(Module::CommonJs)
}

/// Adds `property` (e.g. `output: "standalone",`) as the first property of
/// the config object.
pub fn add_property(text: &str, property: &str) -> Result<String, String> {
    let tokens = tokenize(text, Lang::Js);
    let line_no = config_object_line(&tokens)? as usize;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let line = lines
        .get(line_no - 1)
        .ok_or("the config object is past the end of the file")?;
    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    let body = line.trim_end();
    if body.matches('{').count() != 1 {
        return Err("the config object opens on a line with other braces".to_string());
    }
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i + 1 != line_no {
            out.push_str(l);
            continue;
        }
        if body.ends_with('{') {
            let next_indent: Option<String> = lines.get(i + 1).and_then(|n| {
                let t = n.trim();
                (!t.is_empty() && !t.starts_with('}'))
                    .then(|| n.chars().take_while(|c| c.is_whitespace()).collect())
            });
            let inner = next_indent.unwrap_or_else(|| format!("{indent}  "));
            out.push_str(l);
            if !l.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("{inner}{property}\n"));
        } else if body.contains("{}") {
            let ending = if l.ends_with('\n') { "\n" } else { "" };
            let replaced = body.replacen("{}", &format!("{{\n{indent}  {property}\n{indent}}}"), 1);
            out.push_str(&replaced);
            out.push_str(ending);
        } else {
            return Err("the config object is written on one line".to_string());
        }
    }
    Ok(out)
}

/// Wraps the exported config: `module.exports = X` →
/// `module.exports = wrap(X)`, adding `import_line` at the top.
/// `wrap` receives the exported expression.
pub fn wrap_export(
    path: &str,
    text: &str,
    import_cjs: &str,
    import_esm: &str,
    wrap: &dyn Fn(&str) -> String,
) -> Result<String, String> {
    let tokens = tokenize(text, Lang::Js);
    let export = find_export(&tokens)
        .ok_or("it has no `module.exports =` or `export default` seaworthy can find")?;
    let module = if path.ends_with(".mjs") || path.ends_with(".ts") {
        Module::Esm
    } else {
        export.module
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let idx = export.line as usize - 1;
    let line = lines
        .get(idx)
        .ok_or("the export is past the end of the file")?;
    let (head, keyword) = match export.module {
        Module::CommonJs => ("module.exports", "module.exports ="),
        Module::Esm => ("export default", "export default"),
    };
    let trimmed = line.trim();
    let Some(expr) = trimmed.strip_prefix(keyword) else {
        return Err("the export does not start its line".to_string());
    };
    let expr = expr.trim().trim_end_matches(';').trim();
    let balanced = |s: &str| {
        let mut depth = 0i32;
        for c in s.chars() {
            match c {
                '(' | '{' | '[' => depth += 1,
                ')' | '}' | ']' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    };
    let mut out_lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut tail = String::new();
    if !expr.is_empty() && balanced(expr) {
        let ending = if line.ends_with('\n') { "\n" } else { "" };
        out_lines[idx] = format!("{head} = {};{ending}", wrap(expr)).replacen(
            "export default =",
            "export default",
            1,
        );
    } else if expr == "{" {
        // A multi-line object export: keep it, wrap it at the end.
        match export.module {
            Module::CommonJs => {
                tail = format!("\nmodule.exports = {};\n", wrap("module.exports"));
            }
            Module::Esm => {
                if has_ident(&tokens, "nextConfig") {
                    return Err("it already uses the name `nextConfig`".to_string());
                }
                out_lines[idx] = line.replacen("export default {", "const nextConfig = {", 1);
                tail = format!("\nexport default {};\n", wrap("nextConfig"));
            }
        }
    } else {
        return Err("the exported expression spans several lines".to_string());
    }
    let import = match module {
        Module::CommonJs => import_cjs,
        Module::Esm => import_esm,
    };
    // After the last import/require statement above the export (which may
    // span lines: `import {\n a,\n b,\n} from "x"`), else first.
    let last_import = last_import_line(&tokens, &lines, export.line) as usize;
    out_lines.insert(last_import, format!("{import}\n"));
    if last_import == 0 && out_lines.get(1).is_some_and(|l| !l.trim().is_empty()) {
        out_lines.insert(1, "\n".to_string());
    }
    let mut out: String = out_lines.concat();
    if !tail.is_empty() {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(tail.trim_start_matches('\n'));
    }
    Ok(out)
}

/// The 1-based line that ends the last top-level `import … from "x"` or
/// `const x = require("x")` before `before`; 0 when there is none.
fn last_import_line(tokens: &[Spanned], lines: &[&str], before: u32) -> u32 {
    let starts_line = |t: &Spanned, word: &str| {
        lines
            .get(t.line as usize - 1)
            .is_some_and(|l| l.trim_start().starts_with(word))
    };
    let mut last = 0;
    for (k, t) in tokens.iter().enumerate() {
        if t.line >= before {
            break;
        }
        match &t.token {
            Token::Ident(w)
                if w == "import"
                    && starts_line(t, "import")
                    && tokens.get(k + 1).map(|n| &n.token) != Some(&Token::Punct('(')) =>
            {
                // The module specifier is the statement's first string.
                if let Some(spec) = tokens[k + 1..]
                    .iter()
                    .find(|n| matches!(n.token, Token::Str(_)))
                {
                    last = last.max(spec.line);
                }
            }
            Token::Ident(w)
                if w == "require"
                    && ["const", "let", "var"].iter().any(|kw| starts_line(t, kw))
                    && tokens.get(k + 1).map(|n| &n.token) == Some(&Token::Punct('(')) =>
            {
                // `require("x")(options)`: the statement ends after the
                // last call.
                let mut end = matching(tokens, k + 1);
                while let Some(close) = end {
                    if tokens.get(close + 1).map(|n| &n.token) == Some(&Token::Punct('(')) {
                        end = matching(tokens, close + 1);
                    } else {
                        last = last.max(tokens[close].line);
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    last
}

fn has_ident(tokens: &[Spanned], name: &str) -> bool {
    tokens
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(n) if n == name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CJS: &str = "/** @type {import('next').NextConfig} */\nconst nextConfig = {\n  reactStrictMode: true,\n};\n\nmodule.exports = nextConfig;\n";

    #[test]
    fn adds_a_property_to_a_declared_object() {
        let out = add_property(CJS, "output: \"standalone\",").expect("editable");
        assert!(out
            .contains("const nextConfig = {\n  output: \"standalone\",\n  reactStrictMode: true,"));
    }

    #[test]
    fn adds_a_property_to_an_exported_object_and_an_empty_one() {
        let out = add_property(
            "export default {\n  images: {},\n};\n",
            "output: \"standalone\",",
        )
        .expect("editable");
        assert!(out.starts_with("export default {\n  output: \"standalone\",\n  images"));
        let out = add_property("module.exports = {};\n", "output: \"standalone\",").expect("ok");
        assert_eq!(out, "module.exports = {\n  output: \"standalone\",\n};\n");
        let ts = "import type { NextConfig } from \"next\";\n\nconst nextConfig: NextConfig = {\n  /* config options here */\n};\n\nexport default nextConfig;\n";
        let out = add_property(ts, "output: \"standalone\",").expect("ts");
        assert!(out
            .contains("const nextConfig: NextConfig = {\n  output: \"standalone\",\n  /* config"));
    }

    #[test]
    fn curried_wrappers_take_the_config_last() {
        let text =
            "module.exports = withProxy({\n  src: \"x\",\n})({\n  reactStrictMode: true,\n});\n";
        let out = add_property(text, "output: \"standalone\",").expect("editable");
        assert!(
            out.contains("})({\n  output: \"standalone\",\n  reactStrictMode"),
            "{out}"
        );
        let text = "const config = { a: 1 };\nmodule.exports = withA(withB(config));\n";
        assert!(
            add_property(text, "output: \"standalone\",").is_err(),
            "one-line object"
        );
    }

    #[test]
    fn imports_go_after_multi_line_imports() {
        let text = "import a from \"a\";\nimport {\n  b,\n  c,\n} from \"bc\";\n\nconst nextConfig = {};\n\nexport default withMDX(nextConfig);\n";
        let out = wrap_export(
            "next.config.mjs",
            text,
            "",
            "import { withX } from \"x\";",
            &|e| format!("withX({e})"),
        )
        .expect("wrappable");
        assert!(out.starts_with("import a from \"a\";\nimport {\n  b,\n  c,\n} from \"bc\";\nimport { withX } from \"x\";\n"), "{out}");
        assert!(out.contains("export default withX(withMDX(nextConfig));"));
    }

    #[test]
    fn requires_that_call_their_module_count_whole() {
        let text = "const analyze = require(\"@next/bundle-analyzer\")({\n  enabled: false,\n});\n\nconst nextConfig = {\n  a: 1,\n};\n\nmodule.exports = analyze(nextConfig);\n";
        let out = wrap_export(
            "next.config.js",
            text,
            "const { withX } = require(\"x\");",
            "",
            &|e| format!("withX({e})"),
        )
        .expect("wrappable");
        assert!(out.starts_with("const analyze = require(\"@next/bundle-analyzer\")({\n  enabled: false,\n});\nconst { withX } = require(\"x\");\n"), "{out}");
    }

    #[test]
    fn refuses_functions() {
        let f = "module.exports = (phase) => ({ reactStrictMode: true });\n";
        assert!(add_property(f, "output: \"standalone\",").is_err());
        let f = "export default async function config() { return {}; }\n";
        assert!(add_property(f, "output: \"standalone\",").is_err());
    }

    #[test]
    fn wraps_the_export() {
        let out = wrap_export(
            "next.config.js",
            CJS,
            "const { withX } = require(\"x\");",
            "import { withX } from \"x\";",
            &|e| format!("withX({e})"),
        )
        .expect("wrappable");
        assert!(out.starts_with("const { withX } = require(\"x\");\n\n/** @type"));
        assert!(out.ends_with("module.exports = withX(nextConfig);\n"));
        let esm = "export default {\n  a: 1,\n};\n";
        let out = wrap_export(
            "next.config.mjs",
            esm,
            "",
            "import { withX } from \"x\";",
            &|e| format!("withX({e})"),
        )
        .expect("esm");
        assert!(out.contains("const nextConfig = {"));
        assert!(out.ends_with("export default withX(nextConfig);\n"));
    }
}
