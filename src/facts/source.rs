//! A source file's code, read on demand for rules that look inside handlers
//! and entry points (what a health route calls, where an SDK is
//! initialised, how the app logs). The tokens are not cached: only the few
//! files a rule asks about are lexed, and only once per asking rule.

use super::code::{self, Lang, Spanned, Token};
use super::Facts;
use crate::index::FileId;

/// A lexed source file.
#[derive(Debug)]
pub struct SourceCode {
    pub lang: Lang,
    pub tokens: Vec<Spanned>,
}

impl Facts<'_> {
    /// The raw text of any file (no parse), when it can be read; kept
    /// texts (`Facts::read`) are not read again. Read errors are not
    /// recorded: rules use this only to confirm what the facts already said.
    pub fn raw_text(&self, id: FileId) -> Option<String> {
        self.read(id).ok()
    }

    /// The raw text of a file no larger than `cap` bytes, for readers with
    /// a cap of their own: a kept text is not read again.
    pub fn raw_text_capped(&self, id: FileId, cap: u64) -> Option<String> {
        if let Some(text) = self.kept_text(id) {
            return (text.len() as u64 <= cap).then(|| text.to_string());
        }
        super::text::read_text(&self.index.path(id), cap).ok()
    }

    /// The tokens of a source file whose text contains one of `needles`
    /// (all files when `needles` is empty). The tokens are kept once lexed:
    /// the health rules, the SDK rules and the logging rules ask about the
    /// same handler and entry files, and a monorepo's shared handlers were
    /// lexed once per asking rule and app (a twentieth of the audit).
    pub fn source_code(&self, id: FileId, needles: &[&str]) -> Option<&SourceCode> {
        let name = self.index.get(id).name();
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        let lang = Lang::of_extension(&ext.to_ascii_lowercase())?;
        let (mask, first_read) = self.mask_reading(id);
        // The mask answers for words in the table; others are searched.
        let mut answered = needles.is_empty();
        if let (Some(mask), Some(bits)) = (mask, super::needles::bits_of(needles)) {
            if !needles.is_empty() && mask & bits == 0 {
                return None;
            }
            answered = true;
        }
        let slot = &self.source_codes[id];
        if let Some(code) = slot.get() {
            if !answered {
                // A word outside the table: the text is searched again
                // (rare: a few rules ask for a package name).
                let text = self.raw_text(id)?;
                if !needles.iter().any(|n| text.contains(n)) {
                    return None;
                }
            }
            return code.as_deref();
        }
        let text = match first_read {
            Some(read) => read.ok(),
            None => self.raw_text(id),
        };
        let Some(text) = text else {
            return slot.get_or_init(|| None).as_deref();
        };
        if !answered && !needles.iter().any(|n| text.contains(n)) {
            return None;
        }
        slot.get_or_init(|| {
            Some(Box::new(SourceCode {
                lang,
                tokens: code::tokenize(&text, lang),
            }))
        })
        .as_deref()
    }
}

impl SourceCode {
    fn token(&self, i: usize) -> Option<&Token> {
        self.tokens.get(i).map(|s| &s.token)
    }

    fn is_ident(&self, i: usize, name: &str) -> bool {
        matches!(self.token(i), Some(Token::Ident(n)) if n == name)
    }

    fn is_punct(&self, i: usize, c: char) -> bool {
        matches!(self.token(i), Some(Token::Punct(p)) if *p == c)
    }

    /// Modules the file imports, with lines: JavaScript `import … from "m"`,
    /// `import "m"`, `export … from "m"`, `require("m")`, `import("m")`;
    /// Python `import m` / `from m import …`; Ruby `require "m"`; Go
    /// import paths.
    pub fn imports(&self) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            match (&t.token, self.lang) {
                (Token::Str(value), Lang::Js) => {
                    let prev = |n: usize| i.checked_sub(n).and_then(|j| self.token(j));
                    let from =
                        matches!(prev(1), Some(Token::Ident(w)) if w == "from" || w == "import");
                    let call = matches!(prev(1), Some(Token::Punct('(')))
                        && matches!(prev(2), Some(Token::Ident(w)) if w == "require" || w == "import");
                    if from || call {
                        out.push((value.clone(), t.line));
                    }
                }
                (Token::Str(value), Lang::Ruby) => {
                    let prev = i.checked_sub(1).and_then(|j| self.token(j));
                    let prev2 = i.checked_sub(2).and_then(|j| self.token(j));
                    let req =
                        |t: Option<&Token>| matches!(t, Some(Token::Ident(w)) if w == "require");
                    if req(prev) || (matches!(prev, Some(Token::Punct('('))) && req(prev2)) {
                        out.push((value.clone(), t.line));
                    }
                }
                (Token::Str(value), Lang::CLike) if value.contains('/') || value.contains('.') => {
                    // Go: `import "x"` or a string inside `import ( … )`.
                    let prev = i.checked_sub(1).and_then(|j| self.token(j));
                    let in_block = matches!(
                        prev,
                        Some(Token::Str(_)) | Some(Token::Punct('(')) | Some(Token::Ident(_))
                    ) && self.tokens[..i]
                        .iter()
                        .rev()
                        .take(64)
                        .any(|s| matches!(&s.token, Token::Ident(w) if w == "import"));
                    if in_block {
                        out.push((value.clone(), t.line));
                    }
                }
                (Token::Ident(kw), Lang::Python) if kw == "import" || kw == "from" => {
                    // At the start of a statement only (`x if a else b from` is not one).
                    let starts = i == 0 || self.tokens[i - 1].line != t.line;
                    if !starts {
                        continue;
                    }
                    let mut name = String::new();
                    let mut j = i + 1;
                    while let Some(tok) = self.token(j).filter(|_| self.tokens[j].line == t.line) {
                        match tok {
                            Token::Ident(w) if w != "import" && w != "as" => name.push_str(w),
                            Token::Punct('.') => name.push('.'),
                            _ => break,
                        }
                        j += 1;
                    }
                    if !name.is_empty() {
                        out.push((name, t.line));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Whether the file imports `module` or one of its subpaths
    /// (`dd-trace` matches `dd-trace/init`; Python `sentry_sdk` matches
    /// `sentry_sdk.integrations`).
    pub fn imports_module(&self, module: &str) -> bool {
        self.imports().iter().any(|(m, _)| {
            m == module
                || m.strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('.'))
        })
    }

    /// Lines where `name(` is called (as a function or a method).
    pub fn calls(&self, name: &str) -> Vec<u32> {
        (0..self.tokens.len())
            .filter(|i| self.is_ident(*i, name) && self.is_punct(i + 1, '('))
            .map(|i| self.tokens[i].line)
            .collect()
    }

    /// Lines where `object.method(` is called.
    pub fn method_calls(&self, object: &str, method: &str) -> Vec<u32> {
        (2..self.tokens.len())
            .filter(|i| {
                self.is_ident(*i, method)
                    && self.is_punct(i + 1, '(')
                    && self.is_punct(i - 1, '.')
                    && self.is_ident(i - 2, object)
            })
            .map(|i| self.tokens[i - 2].line)
            .collect()
    }

    /// Lines where `object.member` appears (called or not: Ruby's
    /// `Sentry.init do … end`).
    pub fn member_refs(&self, object: &str, member: &str) -> Vec<u32> {
        (2..self.tokens.len())
            .filter(|i| {
                self.is_ident(*i, member)
                    && self.is_punct(i - 1, '.')
                    && self.is_ident(i - 2, object)
            })
            .map(|i| self.tokens[i - 2].line)
            .collect()
    }

    /// Whether the code names an identifier.
    pub fn has_ident(&self, name: &str) -> bool {
        code::has_ident(&self.tokens, name)
    }

    /// The first line where an identifier appears.
    pub fn ident_line(&self, name: &str) -> Option<u32> {
        (0..self.tokens.len())
            .find(|i| self.is_ident(*i, name))
            .map(|i| self.tokens[i].line)
    }

    /// Whether a string literal contains `needle` (case-insensitive).
    pub fn has_string_containing(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        self.tokens
            .iter()
            .any(|t| matches!(&t.token, Token::Str(s) if s.to_ascii_lowercase().contains(&needle)))
    }

    /// Exported names (`export function GET`, `export const dynamic = …`,
    /// `export { GET }`) with their lines.
    pub fn exports(&self) -> Vec<(String, u32)> {
        let mut out = Vec::new();
        for i in 0..self.tokens.len() {
            if !self.is_ident(i, "export") {
                continue;
            }
            let mut j = i + 1;
            while matches!(self.token(j), Some(Token::Ident(w)) if matches!(w.as_str(), "async" | "function" | "const" | "let" | "var" | "default"))
            {
                j += 1;
            }
            if self.is_punct(j, '{') {
                j += 1;
                while let Some(tok) = self.token(j) {
                    match tok {
                        Token::Punct('}') => break,
                        Token::Ident(w) if w != "as" && w != "type" => {
                            // `export { handler as GET }`: the exported name is the last.
                            let renamed = self.is_ident(j + 1, "as");
                            if !renamed {
                                out.push((w.clone(), self.tokens[j].line));
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
            } else if let Some(Token::Ident(name)) = self.token(j) {
                out.push((name.clone(), self.tokens[j].line));
            }
        }
        out
    }

    /// The string or identifier assigned by `export const name = value`.
    pub fn exported_value(&self, name: &str) -> Option<(String, u32)> {
        (0..self.tokens.len()).find_map(|i| {
            if !(self.is_ident(i, name) && self.is_punct(i + 1, '=')) {
                return None;
            }
            // `export const dynamic: string = …` is not worth the grammar.
            let value = match self.token(i + 2)? {
                Token::Str(s) => s.clone(),
                Token::Ident(s) => s.clone(),
                Token::Value => {
                    // A number: keep its digits from the source-less token
                    // by asking whether it is zero is impossible; callers
                    // only need to know a number was set.
                    "<number>".to_string()
                }
                _ => return None,
            };
            Some((value, self.tokens[i].line))
        })
    }

    /// The parameters of `function name(` (or `const name = (…) =>`) are
    /// non-empty: whether the function declares any parameter.
    pub fn function_has_params(&self, name: &str) -> Option<bool> {
        let i = (0..self.tokens.len()).find(|i| {
            self.is_ident(*i, name)
                && (self.is_punct(i + 1, '(')
                    || (self.is_punct(i + 1, '=')
                        && (self.is_punct(i + 2, '(') || self.is_ident(i + 2, "async"))))
                && *i > 0
                && matches!(self.token(i - 1), Some(Token::Ident(w)) if w == "function" || w == "const" || w == "let")
        })?;
        let mut j = i + 1;
        while !self.is_punct(j, '(') {
            j += 1;
            if j > i + 4 {
                return None;
            }
        }
        Some(!self.is_punct(j + 1, ')'))
    }

    /// Every identifier and string token's text, for "mentions" checks.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().filter_map(|t| match &t.token {
            Token::Ident(s) | Token::Str(s) => Some(s.as_str()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(src: &str) -> SourceCode {
        SourceCode {
            lang: Lang::Js,
            tokens: code::tokenize(src, Lang::Js),
        }
    }

    #[test]
    fn reads_js_imports_calls_and_exports() {
        let s = js("import * as Sentry from \"@sentry/node\";\n// import x from 'y'\nconst t = require('dd-trace/init');\nSentry.init({ dsn });\nexport const dynamic = 'force-dynamic';\nexport async function GET(request) {}\nexport { handler as POST, other };\n");
        let mods: Vec<String> = s.imports().into_iter().map(|(m, _)| m).collect();
        assert_eq!(mods, ["@sentry/node", "dd-trace/init"]);
        assert!(s.imports_module("dd-trace"));
        assert!(!s.imports_module("dd"));
        assert_eq!(s.method_calls("Sentry", "init"), [4]);
        assert_eq!(
            s.exported_value("dynamic"),
            Some(("force-dynamic".to_string(), 5))
        );
        let exports: Vec<String> = s.exports().into_iter().map(|(n, _)| n).collect();
        assert_eq!(exports, ["dynamic", "GET", "POST", "other"]);
        assert_eq!(s.function_has_params("GET"), Some(true));
    }

    #[test]
    fn reads_python_imports() {
        let src = "import sentry_sdk\nfrom sentry_sdk.integrations.django import DjangoIntegration\nx = 1\n";
        let s = SourceCode {
            lang: Lang::Python,
            tokens: code::tokenize(src, Lang::Python),
        };
        let mods: Vec<String> = s.imports().into_iter().map(|(m, _)| m).collect();
        assert_eq!(mods, ["sentry_sdk", "sentry_sdk.integrations.django"]);
        assert!(s.imports_module("sentry_sdk"));
    }
}
