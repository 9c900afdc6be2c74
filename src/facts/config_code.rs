//! Configuration read from code: the environment variables a file reads
//! (with the literal fallback it uses when one is unset) and the debug
//! switches it sets. Built on the lexer in `code`, so comments and strings
//! that merely mention `process.env.X` are not reads.

use super::code::{Lang, Spanned, Token};

/// One read of an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    pub line: u32,
    /// Whether the code supplies any default (`|| x`, `get("X", y)`,
    /// `unwrap_or(…)`): the variable is optional.
    pub has_default: bool,
    /// The default when it is a string literal (`|| "secret"`).
    pub fallback: Option<String>,
    /// Whether the code copes with the variable being unset: an API that
    /// returns null (`os.getenv`, `ENV[]`, PHP `env()`), a test of it
    /// (`if (process.env.X)`, `process.env.X === "true"`, `!process.env.X`),
    /// or Rust's `Result` not unwrapped.
    pub optional_use: bool,
    /// Whether the read's line or the three lines above it check the
    /// environment or debug mode (`if DEBUG`, `NODE_ENV === "production"`,
    /// `isDev ?`): a fallback there may be meant for development only.
    pub near_env_check: bool,
    /// Whether the read tests the variable as a condition the code branches
    /// on (`if (process.env.X)`, `process.env.X ? … : …`, `"X" in
    /// os.environ`) other than a start-up check that throws: the code has
    /// a path for the variable being unset, wherever else it reads it.
    pub guard: bool,
}

/// A debug switch set in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSetting {
    pub kind: DebugKind,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugKind {
    /// Python `DEBUG = True` at the start of a statement.
    DebugTrue,
    /// Python `DEBUG = <an environment read that defaults to true>`.
    DebugFallbackTrue,
    /// Python `DEBUG = <anything else>` (`False`, an env read without a
    /// truthy default, a computed value).
    DebugOther,
    /// Python `from x import *`: settings may be overridden there.
    StarImport,
    /// A `.run(…)` call with `debug=True` or `reload=True` (Flask, uvicorn,
    /// Django's runserver wrappers): the flag, the receiver, and whether the
    /// call sits under `if __name__ == "__main__":`.
    RunFlag {
        flag: String,
        receiver: String,
        in_main_guard: bool,
        /// At module level (not indented): runs whenever the module loads.
        top_level: bool,
    },
    /// Rails `config.consider_all_requests_local = true`.
    ConsiderAllRequestsLocal,
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn ident(t: Option<&Spanned>) -> Option<&str> {
    match t.map(|s| &s.token) {
        Some(Token::Ident(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn punct(t: Option<&Spanned>, c: char) -> bool {
    matches!(t.map(|s| &s.token), Some(Token::Punct(p)) if *p == c)
}

fn string(t: Option<&Spanned>) -> Option<&str> {
    match t.map(|s| &s.token) {
        Some(Token::Str(v)) => Some(v.as_str()),
        _ => None,
    }
}

/// Whether the tokens from `i` spell `words` (identifiers and punctuation
/// given as one-character strings).
///
/// Asked at every token of every source file, mostly to fail on the first
/// word: a punctuation token matches its one-character word, a name its
/// word, anything else nothing.
fn spells(tokens: &[Spanned], i: usize, words: &[&str]) -> bool {
    let Some(window) = tokens.get(i..i.saturating_add(words.len())) else {
        return false;
    };
    window.iter().zip(words).all(|(t, w)| match &t.token {
        Token::Ident(name) => name == w,
        // The words are ASCII.
        Token::Punct(c) => w.len() == 1 && char::from(w.as_bytes()[0]) == *c,
        _ => false,
    })
}

/// The index just past the `)` that closes the `(` at `open`.
fn close_paren(tokens: &[Spanned], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth <= 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// A call's arguments after the first: `, "lit"` or `, default="lit"` or
/// `, default=<expr>`. Returns (has_default, literal).
fn call_default(tokens: &[Spanned], after_name: usize, end: usize) -> (bool, Option<String>) {
    let mut k = after_name;
    while k < end {
        if punct(tokens.get(k), ',') {
            let next = tokens.get(k + 1);
            // `default=…` (django-environ, decouple); other keywords
            // (`cast=bool`) are not defaults.
            if ident(next).is_some() && punct(tokens.get(k + 2), '=') {
                if ident(next) == Some("default") {
                    // `default=None` makes the variable optional too.
                    let literal = string(tokens.get(k + 3)).map(str::to_string);
                    return (true, literal);
                }
                k += 3;
                continue;
            }
            if punct(next, ')') {
                return (false, None);
            }
            let literal = string(next)
                .filter(|_| {
                    matches!(
                        tokens.get(k + 2).map(|t| &t.token),
                        Some(Token::Punct(')' | ','))
                    )
                })
                .map(str::to_string);
            return (true, literal);
        }
        k += 1;
    }
    (false, None)
}

/// `|| "x"`, `?? "x"`, `or "x"` after a read ending at `end`.
fn logical_default(tokens: &[Spanned], end: usize) -> (bool, Option<String>) {
    let two = |a: char, b: char| punct(tokens.get(end), a) && punct(tokens.get(end + 1), b);
    let skip = if two('|', '|') || two('?', '?') {
        2
    } else if ident(tokens.get(end)) == Some("or") {
        1
    } else {
        return (false, None);
    };
    let literal = string(tokens.get(end + skip))
        .filter(|_| !punct(tokens.get(end + skip + 1), '+'))
        .map(str::to_string)
        .or_else(|| {
            // `process.env.X || DUMMY_SECRET` with `const DUMMY_SECRET =
            // "…"` in the file: the constant's literal is the fallback.
            let name = ident(tokens.get(end + skip))?;
            let next = tokens.get(end + skip + 1);
            if punct(next, '(') || punct(next, '.') || punct(next, '[') || punct(next, '+') {
                return None;
            }
            constant_literal(tokens, name)
        });
    (true, literal)
}

/// The string literal a file binds to a constant at its declaration
/// (`const DUMMY_SECRET = "DUMMY_SECRET";`), when it is one.
fn constant_literal(tokens: &[Spanned], name: &str) -> Option<String> {
    tokens.windows(5).find_map(|w| {
        let declares = matches!(&w[0].token, Token::Ident(k) if k == "const")
            && matches!(&w[1].token, Token::Ident(n) if n == name)
            && matches!(w[2].token, Token::Punct('='));
        let single = !matches!(
            w[4].token,
            Token::Punct('+') | Token::Punct('.') | Token::Punct('?')
        );
        match &w[3].token {
            Token::Str(literal) if declares && single => Some(literal.clone()),
            _ => None,
        }
    })
}

pub fn env_reads(tokens: &[Spanned], lang: Lang) -> Vec<EnvRead> {
    env_reads_in(tokens, "", lang)
}

/// `env_reads` with the file's text, which Python's blocks need (an `if`
/// gates the lines indented under it).
pub fn env_reads_in(tokens: &[Spanned], text: &str, lang: Lang) -> Vec<EnvRead> {
    // A RefCell so that the loop can see how many reads each token added
    // (their positions, for `mark_guarded`) while `push` holds the list.
    let out = std::cell::RefCell::new(Vec::new());
    let mut positions: Vec<usize> = Vec::new();
    let mut push = |name: &str,
                    line: u32,
                    (has_default, fallback): (bool, Option<String>),
                    optional_use: bool| {
        if is_env_name(name) {
            out.borrow_mut().push(EnvRead {
                name: name.to_string(),
                line,
                has_default,
                fallback,
                near_env_check: false,
                guard: false,
                optional_use,
            });
        }
    };
    let mut last = 0;
    for i in 0..tokens.len() {
        positions.resize(out.borrow().len(), last);
        last = i;
        // Every read starts with a name (`process`, `os`, `ENV`, `$_ENV`,
        // `System`), but Spring's `"${X:default}"` placeholders, which are
        // strings: this loop runs over every token of every source file,
        // so the other tokens are passed over at once.
        match &tokens[i].token {
            Token::Ident(_) => {}
            Token::Str(_) if lang == Lang::CLike => {}
            _ => continue,
        }
        let line = tokens[i].line;
        // Each language's reads start with one of a few names: the other
        // identifiers (most of a file's tokens) are passed over before the
        // patterns below compare them one by one.
        let starts_read = match lang {
            Lang::Js => matches!(
                ident(tokens.get(i)),
                Some("process" | "Bun" | "import" | "Deno")
            ),
            Lang::Python => matches!(ident(tokens.get(i)), Some("os" | "env" | "config")),
            Lang::Ruby => matches!(ident(tokens.get(i)), Some("System" | "ENV")),
            Lang::Php => matches!(ident(tokens.get(i)), Some("env" | "getenv" | "$_ENV")),
            Lang::Rust => ident(tokens.get(i)) == Some("env"),
            Lang::CLike => true,
        };
        if !starts_read {
            continue;
        }
        match lang {
            Lang::Js => {
                // process.env.X, import.meta.env.X, Bun.env.X, process.env["X"]
                let base = if spells(tokens, i, &["process", ".", "env"])
                    || spells(tokens, i, &["Bun", ".", "env"])
                {
                    Some(i + 3)
                } else if spells(tokens, i, &["import", ".", "meta", ".", "env"]) {
                    Some(i + 5)
                } else {
                    None
                };
                if let Some(b) = base {
                    if i > 0 && punct(tokens.get(i - 1), '.') {
                        continue;
                    }
                    if punct(tokens.get(b), '.') {
                        if let Some(name) =
                            ident(tokens.get(b + 1)).filter(|_| !assigned(tokens, b + 2))
                        {
                            push(
                                name,
                                line,
                                logical_default(tokens, b + 2),
                                tested(tokens, i, b + 2),
                            );
                        }
                    } else if punct(tokens.get(b), '[') && punct(tokens.get(b + 2), ']') {
                        if let Some(name) =
                            string(tokens.get(b + 1)).filter(|_| !assigned(tokens, b + 3))
                        {
                            push(
                                name,
                                line,
                                logical_default(tokens, b + 3),
                                tested(tokens, i, b + 3),
                            );
                        }
                    } else if i >= 2
                        && punct(tokens.get(i - 1), '=')
                        && punct(tokens.get(i - 2), '}')
                    {
                        // `const { A, B = "x" } = process.env`
                        destructured(tokens, i - 2, &mut push);
                    }
                } else if spells(tokens, i, &["Deno", ".", "env", ".", "get", "("]) {
                    if let Some(name) = string(tokens.get(i + 6)) {
                        let end = close_paren(tokens, i + 5);
                        push(
                            name,
                            line,
                            logical_default(tokens, end),
                            tested(tokens, i, end),
                        );
                    }
                }
            }
            Lang::Python => {
                let call = if spells(tokens, i, &["os", ".", "environ", ".", "get", "("])
                    || spells(tokens, i, &["os", ".", "environ", ".", "setdefault", "("])
                {
                    Some(i + 5)
                } else if spells(tokens, i, &["os", ".", "getenv", "("]) {
                    Some(i + 3)
                } else if (spells(tokens, i, &["env", "("]) || spells(tokens, i, &["config", "("]))
                    && !punct(tokens.get(i.wrapping_sub(1)), '.')
                    && !matches!(ident(tokens.get(i.wrapping_sub(1))), Some("def"))
                {
                    Some(i + 1)
                } else if ident(tokens.get(i)) == Some("env")
                    && punct(tokens.get(i + 1), '.')
                    && matches!(
                        ident(tokens.get(i + 2)),
                        Some(
                            "str"
                                | "bool"
                                | "int"
                                | "float"
                                | "list"
                                | "json"
                                | "url"
                                | "db_url"
                                | "dict"
                        )
                    )
                    && punct(tokens.get(i + 3), '(')
                {
                    Some(i + 3)
                } else {
                    None
                };
                if let Some(open) = call {
                    if let Some(name) = string(tokens.get(open + 1)) {
                        let end = close_paren(tokens, open);
                        let (d, lit) = call_default(tokens, open + 2, end);
                        let (d2, lit2) = logical_default(tokens, end);
                        let nullable = spells(tokens, i, &["os", ".", "getenv"])
                            || spells(tokens, i, &["os", ".", "environ", ".", "get"]);
                        push(
                            name,
                            line,
                            (d || d2, lit.or(lit2)),
                            nullable || tested(tokens, i, end),
                        );
                    }
                } else if spells(tokens, i, &["os", ".", "environ", "["]) {
                    if let Some(name) =
                        string(tokens.get(i + 4)).filter(|_| !assigned(tokens, i + 6))
                    {
                        push(name, line, (false, None), tested(tokens, i, i + 6));
                    }
                }
            }
            Lang::Ruby => {
                // Elixir (lexed as Ruby): `System.get_env("X")`, with a
                // default as its second argument or after `||`, and the
                // required `System.fetch_env!("X")`.
                if spells(tokens, i, &["System", ".", "get_env", "("]) {
                    if let Some(name) = string(tokens.get(i + 4)) {
                        let end = close_paren(tokens, i + 3);
                        let (d, lit) = call_default(tokens, i + 5, end);
                        let (d2, lit2) = logical_default(tokens, end);
                        push(name, line, (d || d2, lit.or(lit2)), true);
                    }
                    continue;
                }
                if spells(tokens, i, &["System", ".", "fetch_env", "!", "("]) {
                    if let Some(name) = string(tokens.get(i + 5)) {
                        push(name, line, (false, None), false);
                    }
                    continue;
                }
                if ident(tokens.get(i)) != Some("ENV") {
                    continue;
                }
                if punct(tokens.get(i + 1), '[') {
                    if let Some(name) =
                        string(tokens.get(i + 2)).filter(|_| !assigned(tokens, i + 4))
                    {
                        push(name, line, logical_default(tokens, i + 4), true);
                    }
                } else if spells(tokens, i + 1, &[".", "fetch", "("]) {
                    if let Some(name) = string(tokens.get(i + 4)) {
                        let end = close_paren(tokens, i + 3);
                        let (mut d, mut lit) = call_default(tokens, i + 5, end);
                        // ENV.fetch("X") { "default" }
                        if punct(tokens.get(end), '{') {
                            d = true;
                            if lit.is_none() {
                                lit = string(tokens.get(end + 1))
                                    .filter(|_| punct(tokens.get(end + 2), '}'))
                                    .map(str::to_string);
                            }
                        }
                        push(name, line, (d, lit), false);
                    }
                }
            }
            Lang::Php => {
                let open = if matches!(ident(tokens.get(i)), Some("env" | "getenv"))
                    && punct(tokens.get(i + 1), '(')
                    && !(punct(tokens.get(i.wrapping_sub(1)), '>')
                        && punct(tokens.get(i.wrapping_sub(2)), '-'))
                {
                    Some(i + 1)
                } else {
                    None
                };
                if let Some(open) = open {
                    if let Some(name) = string(tokens.get(open + 1)) {
                        let end = close_paren(tokens, open);
                        push(name, line, call_default(tokens, open + 2, end), true);
                    }
                } else if matches!(ident(tokens.get(i)), Some("$_ENV"))
                    && punct(tokens.get(i + 1), '[')
                {
                    if let Some(name) = string(tokens.get(i + 2)) {
                        push(name, line, logical_default(tokens, i + 4), true);
                    }
                }
            }
            Lang::CLike => {
                // Java/Kotlin System.getenv("X"); Go os.Getenv("X"),
                // os.LookupEnv("X") and helpers like getEnv("X", "def").
                if spells(tokens, i, &["System", ".", "getenv", "("])
                    || spells(
                        tokens,
                        i,
                        &["Environment", ".", "GetEnvironmentVariable", "("],
                    )
                    || spells(tokens, i, &["os", ".", "Getenv", "("])
                    || spells(tokens, i, &["os", ".", "LookupEnv", "("])
                {
                    let open = i + 3;
                    if let Some(name) = string(tokens.get(open + 1)) {
                        let end = close_paren(tokens, open);
                        let lookup = ident(tokens.get(i + 2)) == Some("LookupEnv");
                        push(
                            name,
                            line,
                            logical_default(tokens, end),
                            lookup || tested(tokens, i, end),
                        );
                    }
                } else if let Some(f) = ident(tokens.get(i)) {
                    // "env" in any case, without lowering a copy of every
                    // identifier of the file.
                    let helper = punct(tokens.get(i + 1), '(')
                        && f.as_bytes()
                            .windows(3)
                            .any(|w| w.eq_ignore_ascii_case(b"env"))
                        && !punct(tokens.get(i.wrapping_sub(1)), '.')
                        && !matches!(ident(tokens.get(i.wrapping_sub(1))), Some("func" | "fun"));
                    if helper {
                        if let Some(name) =
                            string(tokens.get(i + 2)).filter(|n| looks_like_env_constant(n))
                        {
                            let end = close_paren(tokens, i + 1);
                            push(name, line, call_default(tokens, i + 3, end), false);
                        }
                    }
                }
                // Spring `@Value("${JWT_SECRET:changeme}")`.
                if let Some(s) = string(tokens.get(i)) {
                    for (name, default) in placeholders(s) {
                        push(&name, line, (default.is_some(), default), false);
                    }
                }
            }
            Lang::Rust => {
                let read = spells(tokens, i, &["env", ":", ":", "var", "("])
                    || spells(tokens, i, &["env", ":", ":", "var_os", "("]);
                if read && !punct(tokens.get(i.wrapping_sub(1)), '!') {
                    if let Some(name) = string(tokens.get(i + 5)) {
                        let end = close_paren(tokens, i + 4);
                        // `.unwrap_or("x")`, `.unwrap_or_else(|_| "x".into())`,
                        // `.unwrap_or_default()`.
                        let mut result = (false, None);
                        // Required only when unwrapped: `?`, `.unwrap()`,
                        // `.expect(…)`.
                        let required = punct(tokens.get(end), '?')
                            || (punct(tokens.get(end), '.')
                                && matches!(ident(tokens.get(end + 1)), Some("unwrap" | "expect")));
                        if punct(tokens.get(end), '.') {
                            if let Some(m) = ident(tokens.get(end + 1)) {
                                if m.starts_with("unwrap_or") {
                                    let close = close_paren(tokens, end + 2);
                                    let lit = tokens
                                        [(end + 2).min(tokens.len())..close.min(tokens.len())]
                                        .iter()
                                        .find_map(|t| match &t.token {
                                            Token::Str(v) => Some(v.clone()),
                                            _ => None,
                                        });
                                    result = (true, lit);
                                }
                            }
                        }
                        push(name, line, result, !required);
                    }
                }
            }
        }
    }
    positions.resize(out.borrow().len(), last);
    let mut out = out.into_inner();
    mark_guarded(tokens, lang, &mut out, &positions);
    mark_gated(tokens, text, lang, &mut out, &positions);
    mark_env_checks(tokens, &mut out);
    out
}

/// Marks reads the code can do without although the read itself neither
/// tests nor defaults the variable: the other operand of a fallback
/// (`process.env.A || process.env.B`), a value bound to a name that the
/// file then tests (`const key = process.env.X; if (!key) return null`),
/// and any read of a variable the same file tests elsewhere
/// (`if (process.env.SENTRY_DSN) init({ dsn: process.env.SENTRY_DSN })`,
/// Python's `if "X" in os.environ: X = os.environ["X"]`). A test that throws
/// or exits at module level is a start-up check that the variable is set,
/// not a sign that it is optional.
fn mark_guarded(tokens: &[Spanned], lang: Lang, reads: &mut [EnvRead], positions: &[usize]) {
    if reads.is_empty() {
        return;
    }
    if lang == Lang::CLike {
        mark_guarded_clike(tokens, reads, positions);
        return;
    }
    if !matches!(lang, Lang::Js | Lang::Python) {
        return;
    }
    let depth = brace_depths(tokens);
    let is_guard = |at: usize| !(depth[at] == 0 && throws_nearby(tokens, at));
    let mut guarded: std::collections::HashSet<String> = std::collections::HashSet::new();
    if lang == Lang::Python {
        // `"X" in os.environ` (not `not in`).
        for i in 0..tokens.len() {
            if let Some(name) = string(tokens.get(i)) {
                if ident(tokens.get(i + 1)) == Some("in")
                    && spells(tokens, i + 2, &["os", ".", "environ"])
                    && is_guard(i)
                {
                    guarded.insert(name.to_string());
                }
            }
        }
    }
    for (read, &at) in reads.iter_mut().zip(positions) {
        if lang != Lang::Js || read.has_default || read.optional_use {
            if read.optional_use && lang == Lang::Js && is_guard(at) {
                read.guard = true;
                guarded.insert(read.name.clone());
            }
            continue;
        }
        // `(process.env.X) || y`, `Number(process.env.X) ?? 0`: a default
        // for the value the read is wrapped in.
        if punct(at.checked_sub(1).and_then(|j| tokens.get(j)), '(') {
            let end = read_end(tokens, at);
            if punct(tokens.get(end), ')') && logical_default(tokens, end + 1).0 {
                read.has_default = true;
                continue;
            }
        }
        // `a || process.env.B`, `a ?? process.env.B`: B is an alternative.
        let before = |k: usize| at.checked_sub(k).and_then(|j| tokens.get(j));
        let fallback = matches!(
            (before(1).map(|t| &t.token), before(2).map(|t| &t.token)),
            (Some(Token::Punct('|')), Some(Token::Punct('|')))
                | (Some(Token::Punct('?')), Some(Token::Punct('?')))
        );
        // `process.env.X?.toLowerCase() === "true"`: optional chaining
        // copes with the variable being unset.
        let end = read_end(tokens, at);
        let chained = punct(tokens.get(end), '?') && punct(tokens.get(end + 1), '.');
        if fallback
            || chained
            || binding_is_tested(tokens, at, &is_guard)
            || in_filtered_array(tokens, at)
        {
            read.optional_use = true;
        }
    }
    for read in reads.iter_mut() {
        if guarded.contains(&read.name) {
            read.optional_use = true;
            if lang == Lang::Python {
                read.guard = true;
            }
        }
    }
}

/// Go and Java: a read whose value is tested for being empty — directly
/// (`len(os.Getenv("X")) > 0`) or through the name it is bound to (`p :=
/// os.Getenv("X"); if p != "" {…}`, `String p = System.getenv("X"); if (p
/// != null)`) — has a path for the variable being unset, and so does every
/// other read of it in the file. A test whose block stops the program
/// (`log.Fatal`, `panic`, `os.Exit`, `throw`) is a start-up requirement and
/// does not count.
fn mark_guarded_clike(tokens: &[Spanned], reads: &mut [EnvRead], positions: &[usize]) {
    let mut guarded: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (read, &at) in reads.iter_mut().zip(positions) {
        // `os.Getenv("X")` or `System.getenv("X")` (not a helper call or a
        // Spring placeholder): the call ends at `end`.
        if !(spells(tokens, at, &["os", ".", "Getenv", "("])
            || spells(tokens, at, &["System", ".", "getenv", "("]))
        {
            continue;
        }
        let before = |k: usize| at.checked_sub(k).and_then(|j| tokens.get(j));
        let end = close_paren(tokens, at + 3);
        let optional = if ident(before(2)) == Some("len") && punct(before(1), '(') {
            // `len(os.Getenv("X")) > 0`
            punct(tokens.get(end), ')') && clike_emptiness_test(tokens, end + 1, true)
        } else if read.optional_use {
            // `os.Getenv("X") != ""`, already a test: a guard unless fatal.
            !stops_program(tokens, end)
        } else {
            // `p := os.Getenv("X")` / `p = …` / `String p = …`.
            let name = if punct(before(1), '=') && punct(before(2), ':') {
                ident(before(3))
            } else if punct(before(1), '=')
                && !matches!(before(2).map(|t| &t.token), Some(Token::Punct(_)))
            {
                ident(before(2))
            } else {
                None
            };
            name.is_some_and(|name| {
                (end..tokens.len().min(end + 400)).any(|k| {
                    ident(tokens.get(k)) == Some(name)
                        && !punct(tokens.get(k.wrapping_sub(1)), '.')
                        && (clike_emptiness_test(tokens, k + 1, false)
                            || (punct(tokens.get(k.wrapping_sub(1)), '(')
                                && ident(tokens.get(k.wrapping_sub(2))) == Some("len")
                                && punct(tokens.get(k + 1), ')')
                                && clike_emptiness_test(tokens, k + 2, true)))
                        && !stops_program(tokens, k)
                })
            })
        };
        if optional && !read.has_default {
            read.optional_use = true;
            read.guard = true;
            guarded.insert(read.name.clone());
        }
    }
    for read in reads.iter_mut() {
        if guarded.contains(&read.name) {
            read.optional_use = true;
        }
    }
}

/// A comparison with the empty value at `at`: `!= ""`, `== ""`, `!= nil`,
/// `== null`; after `len(…)` (`length`) a comparison with a number.
fn clike_emptiness_test(tokens: &[Spanned], at: usize, length: bool) -> bool {
    let op = |k: usize| tokens.get(at + k).map(|t| &t.token);
    let operand = match (op(0), op(1)) {
        (Some(Token::Punct('=' | '!')), Some(Token::Punct('='))) => op(2),
        (Some(Token::Punct('>' | '<')), Some(Token::Punct('='))) if length => op(2),
        (Some(Token::Punct('>' | '<')), _) if length => op(1),
        _ => return false,
    };
    match operand {
        Some(Token::Str(s)) => !length && s.is_empty(),
        Some(Token::Ident(w)) => !length && matches!(w.as_str(), "nil" | "null"),
        // A number (the lexer keeps no value): `len(x) > 0`, `== 0`.
        Some(Token::Value) => length,
        _ => false,
    }
}

/// Whether the block right after a test at `at` stops the program
/// (`log.Fatal(…)`, `panic(…)`, `os.Exit(1)`, `throw`): the test is a
/// start-up requirement. Looks at the next block only.
fn stops_program(tokens: &[Spanned], at: usize) -> bool {
    let Some(open) = (at..tokens.len().min(at + 16)).find(|k| punct(tokens.get(*k), '{')) else {
        return false;
    };
    let close = close_paren(tokens, open);
    tokens[open..close.min(tokens.len())].iter().any(|t| {
        matches!(&t.token, Token::Ident(w) if matches!(w.as_str(),
            "Fatal" | "Fatalf" | "Fatalln" | "panic" | "Panic" | "Panicf" | "Exit" | "throw"))
    })
}

/// Whether the read at `at` is an element of an array literal filtered
/// right away (`[process.env.A, process.env.B].filter((h) => !!h)`): an
/// unset variable is dropped from the list, so the code copes without it.
/// The search looks at most a few hundred tokens either way.
fn in_filtered_array(tokens: &[Spanned], at: usize) -> bool {
    let mut depth = 0usize;
    let mut open = None;
    for j in (at.saturating_sub(256)..at).rev() {
        match tokens[j].token {
            Token::Punct(')' | ']' | '}') => depth += 1,
            Token::Punct('(' | '{') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Token::Punct('[') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => {
                    open = Some(j);
                    break;
                }
            },
            Token::Punct(';') if depth == 0 => return false,
            _ => {}
        }
    }
    let Some(open) = open else {
        return false;
    };
    // An index (`list[process.env.X]`) is not an array literal.
    if open > 0
        && matches!(
            tokens[open - 1].token,
            Token::Ident(_) | Token::Punct(')' | ']')
        )
    {
        return false;
    }
    let mut depth = 0usize;
    for k in open..tokens.len().min(open + 512) {
        match tokens[k].token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return punct(tokens.get(k + 1), '.')
                        && ident(tokens.get(k + 2)) == Some("filter");
                }
            }
            _ => {}
        }
    }
    false
}

/// The index just past a JavaScript read that starts at `at`
/// (`process.env.X`, `process.env["X"]`, `import.meta.env.X`).
fn read_end(tokens: &[Spanned], at: usize) -> usize {
    let base = if spells(tokens, at, &["import", ".", "meta", ".", "env"]) {
        at + 5
    } else {
        at + 3
    };
    if punct(tokens.get(base), '[') {
        base + 3
    } else {
        base + 2
    }
}

/// Marks reads inside a branch that another variable turns on: the block
/// of `if (process.env.A) { … }`, the first branch of `process.env.A ? … :
/// …`, Python's block under `if "A" in os.environ:` or `if
/// os.getenv("A"):`. A variable read only when an optional feature is
/// configured is as optional as the feature.
fn mark_gated(
    tokens: &[Spanned],
    text: &str,
    lang: Lang,
    reads: &mut [EnvRead],
    positions: &[usize],
) {
    // Only reads are marked: a file that reads nothing (most files lexed
    // for other questions) skips the passes over its tokens below.
    if reads.is_empty() {
        return;
    }
    let mut gated: Vec<std::ops::Range<usize>> = Vec::new();
    let read_at = |from: usize, to: usize| positions.iter().any(|p| (from..to).contains(p));
    // Names bound to a test of the environment (`ENABLE_X = "ENABLE_X" in
    // os.environ`, `const enabled = process.env.X === "true"`): a branch
    // on them is a branch on the variable — an opt-in feature flag.
    let flags = env_flags(tokens, lang, &read_at);
    let is_flag = |k: usize| ident(tokens.get(k)).is_some_and(|n| flags.contains(n));
    match lang {
        Lang::Js => {
            for i in 0..tokens.len() {
                if ident(tokens.get(i)) == Some("if") && punct(tokens.get(i + 1), '(') {
                    let close = close_paren(tokens, i + 1);
                    // A positive test: some read in the condition not negated.
                    let gate = positions
                        .iter()
                        .copied()
                        .chain((i + 2..close).filter(|k| is_flag(*k)))
                        .any(|p| {
                            (i + 2..close).contains(&p)
                                && !punct(p.checked_sub(1).and_then(|j| tokens.get(j)), '!')
                        });
                    if !gate {
                        continue;
                    }
                    let end = if punct(tokens.get(close), '{') {
                        close_paren(tokens, close)
                    } else {
                        (close..tokens.len())
                            .find(|k| punct(tokens.get(*k), ';'))
                            .unwrap_or(tokens.len())
                    };
                    gated.push(close..end);
                }
            }
            for &p in positions {
                let end = read_end(tokens, p);
                let ternary = punct(tokens.get(end), '?')
                    && !punct(tokens.get(end + 1), '?')
                    && !punct(tokens.get(end + 1), '.');
                if !ternary {
                    continue;
                }
                // The first branch runs to the `:` of this `?`.
                let mut depth = 0i32;
                let mut nested = 0;
                let mut k = end + 1;
                while k < tokens.len() {
                    match tokens[k].token {
                        Token::Punct('(' | '[' | '{') => depth += 1,
                        Token::Punct(')' | ']' | '}') => {
                            depth -= 1;
                            if depth < 0 {
                                break;
                            }
                        }
                        Token::Punct('?') if depth == 0 => nested += 1,
                        Token::Punct(':') if depth == 0 => {
                            if nested == 0 {
                                break;
                            }
                            nested -= 1;
                        }
                        Token::Punct(';' | ',') if depth == 0 => break,
                        _ => {}
                    }
                    k += 1;
                }
                gated.push(end + 1..k);
            }
        }
        Lang::Python if !text.is_empty() => {
            let lines: Vec<&str> = text.lines().collect();
            let indent = |line: u32| {
                lines
                    .get(line.saturating_sub(1) as usize)
                    .map(|l| l.len() - l.trim_start().len())
                    .unwrap_or(0)
            };
            for i in 0..tokens.len() {
                let starts_line = i == 0 || tokens[i - 1].line < tokens[i].line;
                if !starts_line || ident(tokens.get(i)) != Some("if") {
                    continue;
                }
                // The condition ends at the `:` outside brackets.
                let mut depth = 0i32;
                let mut colon = None;
                for (k, t) in tokens.iter().enumerate().skip(i + 1) {
                    match t.token {
                        Token::Punct('(' | '[' | '{') => depth += 1,
                        Token::Punct(')' | ']' | '}') => depth -= 1,
                        Token::Punct(':') if depth == 0 => {
                            colon = Some(k);
                            break;
                        }
                        _ => {}
                    }
                }
                let Some(colon) = colon else { continue };
                let negated = tokens[i + 1..colon]
                    .iter()
                    .any(|t| matches!(&t.token, Token::Ident(w) if w == "not"));
                let tests_env = (i + 1..colon).any(|k| {
                    (string(tokens.get(k)).is_some()
                        && ident(tokens.get(k + 1)) == Some("in")
                        && spells(tokens, k + 2, &["os", ".", "environ"]))
                        || spells(tokens, k, &["os", ".", "getenv", "("])
                        || spells(tokens, k, &["os", ".", "environ", ".", "get", "("])
                }) || read_at(i + 1, colon)
                    || (i + 1..colon).any(is_flag);
                if negated || !tests_env {
                    continue;
                }
                let own = indent(tokens[i].line);
                let colon_line = tokens[colon].line;
                let end = (colon + 1..tokens.len())
                    .find(|&k| {
                        tokens[k].line > colon_line
                            && tokens[k - 1].line < tokens[k].line
                            && indent(tokens[k].line) <= own
                    })
                    .unwrap_or(tokens.len());
                gated.push(colon + 1..end);
            }
        }
        _ => {}
    }
    if gated.is_empty() {
        return;
    }
    for (read, p) in reads.iter_mut().zip(positions) {
        if gated.iter().any(|r| r.contains(p)) {
            read.optional_use = true;
        }
    }
}

/// Names a file binds to a test of the environment — `NAME = <expression
/// reading or testing a variable>` at the start of a line (Python), `const
/// | let | var NAME = …` (JavaScript) — that do not name the environment
/// or a debug mode (`IS_PRODUCTION = os.environ.get("ENV") == "prod"`
/// gates what production requires, not an optional feature).
fn env_flags(
    tokens: &[Spanned],
    lang: Lang,
    read_at: &dyn Fn(usize, usize) -> bool,
) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    if !matches!(lang, Lang::Js | Lang::Python) {
        return out;
    }
    for i in 0..tokens.len() {
        let starts_line = i == 0 || tokens[i - 1].line < tokens[i].line;
        let (name, eq) = match lang {
            Lang::Python if starts_line => (ident(tokens.get(i)), i + 1),
            Lang::Js if matches!(ident(tokens.get(i)), Some("const" | "let" | "var")) => {
                (ident(tokens.get(i + 1)), i + 2)
            }
            _ => continue,
        };
        let Some(name) = name else { continue };
        if !punct(tokens.get(eq), '=') || punct(tokens.get(eq + 1), '=') {
            continue;
        }
        // The statement: to the end of its line outside brackets, or `;`.
        let line = tokens[eq].line;
        let mut depth = 0i32;
        let mut end = eq + 1;
        while end < tokens.len() {
            let t = &tokens[end];
            if depth == 0 && (t.line > line && tokens[end - 1].line < t.line || punct(Some(t), ';'))
            {
                break;
            }
            match t.token {
                Token::Punct('(' | '[' | '{') => depth += 1,
                Token::Punct(')' | ']' | '}') => depth -= 1,
                _ => {}
            }
            end += 1;
        }
        let lower = name.to_ascii_lowercase();
        let names_mode = ["prod", "env", "stag", "debug", "dev", "test", "local"]
            .iter()
            .any(|w| lower.contains(w));
        let compares_mode = tokens[eq + 1..end].iter().any(|t| {
            matches!(&t.token, Token::Str(v) if matches!(
                v.to_ascii_lowercase().as_str(),
                "production" | "prod" | "development" | "dev" | "staging" | "test"
            ))
        });
        let tests_env = read_at(eq + 1, end)
            || (eq + 1..end).any(|k| {
                string(tokens.get(k)).is_some()
                    && ident(tokens.get(k + 1)) == Some("in")
                    && spells(tokens, k + 2, &["os", ".", "environ"])
            });
        if tests_env && !names_mode && !compares_mode {
            out.insert(name.to_string());
        }
    }
    out
}

/// The `{}` nesting depth at each token.
fn brace_depths(tokens: &[Spanned]) -> Vec<u32> {
    let mut depth = 0u32;
    tokens
        .iter()
        .map(|t| {
            let here = depth;
            match t.token {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            here
        })
        .collect()
}

/// Whether the statement at `at` throws or exits (`if (!url) throw …`,
/// `process.exit(1)`, `raise`, `sys.exit`) on its line or the next two.
fn throws_nearby(tokens: &[Spanned], at: usize) -> bool {
    let line = tokens[at].line;
    tokens[at..]
        .iter()
        .take_while(|t| t.line <= line + 2)
        .any(|t| matches!(&t.token, Token::Ident(w) if matches!(w.as_str(), "throw" | "exit" | "raise" | "abort")))
}

/// `const key = process.env.X` / `key = …` / `this.key = …` (the read
/// starting at `at`), and the same file tests the name afterwards:
/// `!key`, `key ?`, `key &&`, `key ||`, `key ??`, `key ==`, `if (key)`.
fn binding_is_tested(tokens: &[Spanned], at: usize, is_guard: &impl Fn(usize) -> bool) -> bool {
    let before = |k: usize| at.checked_sub(k).and_then(|j| tokens.get(j));
    if !punct(before(1), '=') || matches!(before(2).map(|t| &t.token), Some(Token::Punct(_))) {
        return false;
    }
    let Some(name) = ident(before(2)) else {
        return false;
    };
    // `this.key = …` is tested as `this.key`; a plain name must not be a
    // property of something else where it is tested.
    let member = punct(before(3), '.');
    if member && ident(before(4)) != Some("this") {
        return false;
    }
    (at + 1..tokens.len()).any(|k| {
        if ident(tokens.get(k)) != Some(name) {
            return false;
        }
        let start = if member {
            if !(punct(tokens.get(k.wrapping_sub(1)), '.')
                && ident(tokens.get(k.wrapping_sub(2))) == Some("this"))
            {
                return false;
            }
            k - 2
        } else {
            if punct(tokens.get(k.wrapping_sub(1)), '.') {
                return false;
            }
            k
        };
        (tested(tokens, start, k + 1) || logical_default(tokens, k + 1).0) && is_guard(start)
    })
}

/// An environment schema: t3-env's `createEnv`, envalid's `cleanEnv`, or a
/// zod object that parses `process.env`. The schema, not the reads in it,
/// says which variables are required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvSchema {
    /// Keys whose validator makes them optional: `.optional()`,
    /// `.default(…)`, `.nullish()`, `.nullable()`, `.catch(…)`, envalid's
    /// `{ default: … }`.
    pub optional: Vec<String>,
}

/// The schema a JavaScript/TypeScript file declares, if it declares one.
pub fn env_schema(tokens: &[Spanned]) -> Option<EnvSchema> {
    let calls = |name: &str| {
        tokens.windows(2).any(|w| {
            matches!(&w[0].token, Token::Ident(x) if x == name) && w[1].token == Token::Punct('(')
        })
    };
    // A zod object counts only when it validates the environment itself
    // (`schema.parse(process.env)`): request-body schemas sit in route
    // files that read the environment for other reasons.
    let parses_env = (0..tokens.len()).any(|i| {
        (spells(tokens, i, &["parse", "("]) || spells(tokens, i, &["safeParse", "("]))
            && (spells(tokens, i + 2, &["process", ".", "env"])
                || spells(tokens, i + 2, &["import", ".", "meta", ".", "env"]))
    });
    if !(calls("createEnv") || calls("cleanEnv") || parses_env) {
        return None;
    }
    let mut optional = Vec::new();
    for i in 1..tokens.len() {
        // `NAME: validator,` as an object entry (after `{` or `,`).
        let Some(name) = ident(tokens.get(i)).or_else(|| string(tokens.get(i))) else {
            continue;
        };
        if !looks_like_env_constant(name)
            || !punct(tokens.get(i + 1), ':')
            || !(punct(tokens.get(i - 1), '{') || punct(tokens.get(i - 1), ','))
        {
            continue;
        }
        let mut depth = 0i32;
        let mut is_optional = false;
        for t in &tokens[i + 2..] {
            match &t.token {
                Token::Punct('(' | '[' | '{') => depth += 1,
                Token::Punct(')' | ']' | '}') => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                Token::Punct(',') if depth == 0 => break,
                Token::Ident(w)
                    if matches!(
                        w.as_str(),
                        "optional" | "default" | "nullish" | "nullable" | "catch"
                    ) =>
                {
                    is_optional = true
                }
                _ => {}
            }
        }
        if is_optional && !optional.iter().any(|o| o == name) {
            optional.push(name.to_string());
        }
    }
    Some(EnvSchema { optional })
}

/// Identifiers and strings that check the environment or debug mode.
const ENV_CHECK_IDENTS: &[&str] = &[
    "APP_ENV",
    "DEBUG",
    "DJANGO_ENV",
    "ENVIRONMENT",
    "FLASK_ENV",
    "IS_DEV",
    "IS_DEVELOPMENT",
    "IS_PRODUCTION",
    "NODE_ENV",
    "RACK_ENV",
    "RAILS_ENV",
    "__DEV__",
    "dev",
    "development",
    "development?",
    "isDev",
    "isDevelopment",
    "isProd",
    "isProduction",
    "is_dev",
    "is_development",
    "is_production",
    "production",
    "test",
];

/// `X = …` (not `==`): the code sets the variable rather than reads it.
fn assigned(tokens: &[Spanned], end: usize) -> bool {
    punct(tokens.get(end), '=') && !punct(tokens.get(end + 1), '=')
}

/// Marks reads whose value is tested rather than used: the token after
/// the read (at `end`) compares or branches, or a `!`/`if (` precedes it.
fn tested(tokens: &[Spanned], start: usize, end: usize) -> bool {
    let next = tokens.get(end).map(|t| &t.token);
    let next2 = tokens.get(end + 1).map(|t| &t.token);
    let before = start
        .checked_sub(1)
        .and_then(|i| tokens.get(i))
        .map(|t| &t.token);
    let before2 = start
        .checked_sub(2)
        .and_then(|i| tokens.get(i))
        .map(|t| &t.token);
    matches!(next, Some(Token::Punct('?'))) && !matches!(next2, Some(Token::Punct('?' | '.')))
        || matches!(
            (next, next2),
            (Some(Token::Punct('&')), Some(Token::Punct('&')))
        )
        || matches!(
            (next, next2),
            (Some(Token::Punct('=' | '!')), Some(Token::Punct('=')))
        )
        || matches!(before, Some(Token::Punct('!')))
        // The last operand of a condition: `if (a && process.env.X)`,
        // `Boolean(a && process.env.X)`.
        || (matches!(
            (before, before2),
            (Some(Token::Punct('&')), Some(Token::Punct('&')))
        ) && matches!(next, Some(Token::Punct(')'))))
        || matches!((before, before2), (Some(Token::Punct('(')), Some(Token::Ident(w))) if w == "if" || w == "Boolean")
}

fn mark_env_checks(tokens: &[Spanned], reads: &mut [EnvRead]) {
    for read in reads.iter_mut() {
        let from = tokens.partition_point(|t| t.line + 3 < read.line);
        let to = tokens.partition_point(|t| t.line <= read.line);
        read.near_env_check = tokens[from..to].iter().any(|t| match &t.token {
            Token::Ident(w) => ENV_CHECK_IDENTS.contains(&w.as_str()) && w != "test",
            Token::Str(s) => matches!(
                s.as_str(),
                "development"
                    | "dev"
                    | "test"
                    | "local"
                    | "production"
                    | "prod"
                    | "DEBUG"
                    | "NODE_ENV"
            ),
            _ => false,
        }) || (read.name != "NODE_ENV"
            && tokens[from..to]
                .iter()
                .any(|t| matches!(&t.token, Token::Ident(w) if w == "NODE_ENV")));
    }
}

/// `const { A, B = "x", C: c } = process.env`, given the index of `}`.
fn destructured(
    tokens: &[Spanned],
    close: usize,
    push: &mut impl FnMut(&str, u32, (bool, Option<String>), bool),
) {
    let mut depth = 0;
    let mut open = None;
    for k in (0..=close).rev() {
        match tokens[k].token {
            Token::Punct('}') => depth += 1,
            Token::Punct('{') => {
                depth -= 1;
                if depth == 0 {
                    open = Some(k);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(open) = open else { return };
    let mut k = open + 1;
    while k < close {
        if let Some(name) = ident(tokens.get(k)) {
            let prev_ok = punct(tokens.get(k - 1), '{') || punct(tokens.get(k - 1), ',');
            if prev_ok {
                let has_default = punct(tokens.get(k + 1), '=');
                let lit = if has_default {
                    string(tokens.get(k + 2)).map(str::to_string)
                } else {
                    None
                };
                push(name, tokens[k].line, (has_default, lit), false);
            }
        }
        k += 1;
    }
}

/// Constant-style names (`DATABASE_URL`), as helpers' first arguments.
fn looks_like_env_constant(name: &str) -> bool {
    is_env_name(name)
        && name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase())
}

/// `${NAME}` and `${NAME:default}` placeholders with upper-case names.
pub fn placeholders(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let body = &rest[start + 2..];
        let Some(end) = body.find('}') else { break };
        let inner = &body[..end];
        let (name, default) = match inner.split_once(':') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (inner, None),
        };
        if looks_like_env_constant(name) {
            out.push((name.to_string(), default));
        }
        rest = &body[end + 1..];
    }
    out
}

/// Debug switches in Python and Ruby files.
pub fn debug_settings(tokens: &[Spanned], text: &str, lang: Lang) -> Vec<DebugSetting> {
    let mut out = Vec::new();
    match lang {
        Lang::Python => {
            let lines: Vec<&str> = text.lines().collect();
            let indent = |line: u32| -> usize {
                lines
                    .get(line.saturating_sub(1) as usize)
                    .map(|l| l.len() - l.trim_start().len())
                    .unwrap_or(0)
            };
            let mut guard: Option<(u32, usize)> = None;
            for i in 0..tokens.len() {
                let line = tokens[i].line;
                let starts_statement = i == 0 || tokens[i - 1].line < line;
                if spells(tokens, i, &["if", "__name__", "=", "="])
                    && string(tokens.get(i + 4)) == Some("__main__")
                {
                    guard = Some((line, indent(line)));
                }
                if starts_statement && guard.is_some_and(|(l, ind)| l < line && indent(line) <= ind)
                {
                    guard = None;
                }
                if starts_statement
                    && ident(tokens.get(i)) == Some("DEBUG")
                    && punct(tokens.get(i + 1), '=')
                    && !punct(tokens.get(i + 2), '=')
                {
                    let rhs: Vec<&Spanned> = tokens[i + 2..]
                        .iter()
                        .take_while(|t| t.line == line)
                        .collect();
                    let kind = if rhs.len() == 1 && ident(rhs.first().copied()) == Some("True") {
                        DebugKind::DebugTrue
                    } else if fallback_true(&tokens[i + 2..], line) {
                        DebugKind::DebugFallbackTrue
                    } else {
                        DebugKind::DebugOther
                    };
                    out.push(DebugSetting { kind, line });
                }
                if starts_statement
                    && ident(tokens.get(i)) == Some("from")
                    && tokens[i..]
                        .iter()
                        .take_while(|t| t.line == line)
                        .any(|t| t.token == Token::Punct('*'))
                {
                    out.push(DebugSetting {
                        kind: DebugKind::StarImport,
                        line,
                    });
                }
                if spells(tokens, i, &[".", "run", "("]) {
                    let receiver = ident(tokens.get(i.wrapping_sub(1)))
                        .unwrap_or("")
                        .to_string();
                    let end = close_paren(tokens, i + 2);
                    for k in i + 3..end.min(tokens.len()) {
                        let flag = ident(tokens.get(k));
                        if matches!(flag, Some("debug" | "reload"))
                            && punct(tokens.get(k + 1), '=')
                            && ident(tokens.get(k + 2)) == Some("True")
                        {
                            out.push(DebugSetting {
                                kind: DebugKind::RunFlag {
                                    flag: flag.unwrap_or("").to_string(),
                                    receiver: receiver.clone(),
                                    in_main_guard: guard.is_some(),
                                    top_level: indent(line) == 0,
                                },
                                line,
                            });
                        }
                    }
                }
            }
        }
        Lang::Ruby => {
            for i in 0..tokens.len() {
                if spells(tokens, i, &["consider_all_requests_local", "=", "true"]) {
                    out.push(DebugSetting {
                        kind: DebugKind::ConsiderAllRequestsLocal,
                        line: tokens[i].line,
                    });
                }
            }
        }
        _ => {}
    }
    out
}

/// `env.bool("DEBUG", default=True)`, `os.environ.get("DEBUG", "True") ==
/// "True"`, `config("DEBUG", default=True, cast=bool)`: the value is read
/// from the environment and is true when the variable is unset.
fn fallback_true(rhs: &[Spanned], line: u32) -> bool {
    let rhs: Vec<&Spanned> = rhs.iter().take_while(|t| t.line <= line + 2).collect();
    let truthy_str = |s: &str| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on" | "t" | "y"
        )
    };
    let reads_env = rhs.iter().any(|t| {
        matches!(&t.token, Token::Ident(w) if matches!(w.as_str(), "env" | "getenv" | "environ" | "config" | "get_env" | "strtobool"))
    });
    if !reads_env {
        return false;
    }
    for (k, t) in rhs.iter().enumerate() {
        // `default=True` / `default="true"`
        if matches!(&t.token, Token::Ident(w) if w == "default")
            && matches!(rhs.get(k + 1).map(|t| &t.token), Some(Token::Punct('=')))
        {
            return match rhs.get(k + 2).map(|t| &t.token) {
                Some(Token::Ident(v)) => v == "True",
                Some(Token::Str(v)) => truthy_str(v),
                _ => false,
            };
        }
        // positional: `get("DEBUG", "True")`, `env.bool("DEBUG", True)`
        if matches!(&t.token, Token::Punct(','))
            && k >= 1
            && matches!(rhs[k - 1].token, Token::Str(_))
        {
            let next = rhs.get(k + 1).map(|t| &t.token);
            let closes = matches!(rhs.get(k + 2).map(|t| &t.token), Some(Token::Punct(')')));
            if closes {
                return match next {
                    Some(Token::Ident(v)) => v == "True",
                    Some(Token::Str(v)) => truthy_str(v),
                    _ => false,
                };
            }
        }
    }
    false
}

/// An env schema's literal default for a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaDefault {
    pub name: String,
    pub default: String,
    pub line: u32,
}

/// zod env schemas (`z.object({…})`, t3's `createEnv({ server: {…} })`):
/// `JWT_SECRET: z.string().min(32).default("…")`. The key must be written
/// like an environment variable (upper case) and the chain must start at
/// `z` right after the key's colon: a default chosen by a ternary
/// (`KEY: isDev ? z.string().default("dev") : z.string()`) is not one the
/// schema always applies, and is left out.
pub fn schema_defaults(tokens: &[Spanned]) -> Vec<SchemaDefault> {
    let mut out = Vec::new();
    for i in 1..tokens.len() {
        if ident(tokens.get(i)) != Some("default")
            || !punct(tokens.get(i - 1), '.')
            || !punct(tokens.get(i + 1), '(')
            || !punct(tokens.get(i + 3), ')')
        {
            continue;
        }
        let Some(default) = string(tokens.get(i + 2)) else {
            continue;
        };
        // Back along the chain: `.name`, `.name(…)`, to its head.
        let mut j = i - 1;
        let head = loop {
            // `j` is at a `.`; before it an identifier or a call.
            let Some(mut k) = j.checked_sub(1) else {
                break None;
            };
            if punct(tokens.get(k), ')') {
                let mut depth = 0usize;
                loop {
                    match tokens.get(k).map(|t| &t.token) {
                        Some(Token::Punct(')')) => depth += 1,
                        Some(Token::Punct('(')) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    let Some(prev) = k.checked_sub(1) else {
                        break;
                    };
                    k = prev;
                }
                let Some(prev) = k.checked_sub(1) else {
                    break None;
                };
                k = prev;
            }
            if ident(tokens.get(k)).is_none() {
                break None;
            }
            match k.checked_sub(1) {
                Some(dot) if punct(tokens.get(dot), '.') => j = dot,
                _ => break Some(k),
            }
        };
        let Some(head) = head.filter(|h| ident(tokens.get(*h)) == Some("z")) else {
            continue;
        };
        if head < 2 || !punct(tokens.get(head - 1), ':') {
            continue;
        }
        let key = ident(tokens.get(head - 2)).or_else(|| string(tokens.get(head - 2)));
        let Some(key) = key.filter(|k| {
            is_env_name(k)
                && k.chars().any(|c| c.is_ascii_uppercase())
                && !k.chars().any(|c| c.is_ascii_lowercase())
        }) else {
            continue;
        };
        out.push(SchemaDefault {
            name: key.to_string(),
            default: default.to_string(),
            line: tokens[head - 2].line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::tokenize;

    fn reads(src: &str, lang: Lang) -> Vec<(String, bool, Option<String>)> {
        env_reads(&tokenize(src, lang), lang)
            .into_iter()
            .map(|r| (r.name, r.has_default, r.fallback))
            .collect()
    }

    fn r(name: &str, d: bool, lit: Option<&str>) -> (String, bool, Option<String>) {
        (name.to_string(), d, lit.map(str::to_string))
    }

    #[test]
    fn js_reads() {
        assert_eq!(reads("process.env.A = '1';\nos.environ", Lang::Js), []);
        assert_eq!(reads("os.environ['A'] = '1'\n", Lang::Python), []);
        assert_eq!(
            reads("const a = process.env.JWT_SECRET || 'secret';\n// process.env.NOPE\nconst b = import.meta.env.VITE_API_URL;\nconst c = process.env['DB'] ?? fallback();\nconst { A, B = 'x' } = process.env;", Lang::Js),
            [r("JWT_SECRET", true, Some("secret")), r("VITE_API_URL", false, None), r("DB", true, None), r("A", false, None), r("B", true, Some("x"))]
        );
        // A constant bound to a literal in the file is that literal.
        assert_eq!(
            reads("const DUMMY = \"DUMMY_SECRET\";\njwt.sign(d, process.env.APP_SECRET_KEY || DUMMY);\nconst k = process.env.K || other.value;", Lang::Js),
            [r("APP_SECRET_KEY", true, Some("DUMMY_SECRET")), r("K", true, None)]
        );
    }

    fn optional(src: &str, lang: Lang) -> Vec<(String, bool)> {
        env_reads(&tokenize(src, lang), lang)
            .into_iter()
            .map(|r| (r.name, r.has_default || r.optional_use))
            .collect()
    }

    #[test]
    fn guarded_reads_are_optional() {
        let o = |n: &str, opt: bool| (n.to_string(), opt);
        // Through a local, a member, a fallback, a test elsewhere in the file.
        assert_eq!(
            optional("function f() {\n  const key = process.env.KEY;\n  if (!key) return null;\n  this.id = process.env.ID as string;\n  if (!this.id || x) throw new Error('x');\n}\nconst dsn = process.env.SENTRY_DSN || process.env.NEXT_PUBLIC_SENTRY_DSN;\nif (process.env.FLAG) { use(process.env.FLAG); }\nconst used = process.env.USED;\nsend(used);\n", Lang::Js),
            [o("KEY", true), o("ID", true), o("SENTRY_DSN", true), o("NEXT_PUBLIC_SENTRY_DSN", true), o("FLAG", true), o("FLAG", true), o("USED", false)]
        );
        // A start-up check that throws at module level keeps it required.
        assert_eq!(
            optional("const url = process.env.DATABASE_URL;\nif (!url) throw new Error('DATABASE_URL is required');\nif (!process.env.SECRET) {\n  throw new Error('SECRET');\n}\nexport const s = process.env.SECRET;\n", Lang::Js),
            [o("DATABASE_URL", false), o("SECRET", true), o("SECRET", false)]
        );
        assert_eq!(
            optional("if \"AWS_DOMAIN\" in os.environ:\n    AWS_DOMAIN = os.environ[\"AWS_DOMAIN\"]\nKEY = os.environ[\"KEY\"]\n", Lang::Python),
            [o("AWS_DOMAIN", true), o("KEY", false)]
        );
    }

    #[test]
    fn filtered_array_elements_are_optional() {
        let o = |n: &str, opt: bool| (n.to_string(), opt);
        assert_eq!(
            optional("const hosts = [\n  process.env.HOST,\n  process.env.HOST_US,\n].filter((h): h is string => !!h);\nconst all = [process.env.A, process.env.B];\nconst x = map[process.env.KEY].filter(Boolean);\n", Lang::Js),
            [o("HOST", true), o("HOST_US", true), o("A", false), o("B", false), o("KEY", false)]
        );
        assert_eq!(
            optional("const stats = process.env.SHOW_STATS?.toLowerCase() === 'true';\nconst k = process.env.KEY.trim();\n", Lang::Js),
            [o("SHOW_STATS", true), o("KEY", false)]
        );
    }

    #[test]
    fn gated_reads_are_optional() {
        let o = |n: &str, opt: bool| (n.to_string(), opt);
        assert_eq!(
            optional("const unsend = process.env.UNSEND_KEY\n  ? new Unsend(process.env.UNSEND_KEY, process.env.UNSEND_URL)\n  : null;\nif (process.env.S3_BUCKET) {\n  client = s3(process.env.S3_REGION);\n} else {\n  disk(process.env.UPLOAD_DIR);\n}\n", Lang::Js),
            [o("UNSEND_KEY", true), o("UNSEND_KEY", true), o("UNSEND_URL", true), o("S3_BUCKET", true), o("S3_REGION", true), o("UPLOAD_DIR", false)]
        );
        let src = "if \"CF_TOKEN\" in os.environ:\n    CACHE = {\n        \"ZONE\": os.environ[\"CF_ZONE\"],\n    }\nSECRET = os.environ[\"SECRET\"]\n";
        let reads: Vec<(String, bool)> =
            env_reads_in(&tokenize(src, Lang::Python), src, Lang::Python)
                .into_iter()
                .map(|r| (r.name, r.has_default || r.optional_use))
                .collect();
        assert_eq!(reads, [o("CF_ZONE", true), o("SECRET", false)]);
        // Through a flag bound to the test (an opt-in feature); a flag
        // naming the environment gates what production requires.
        let src = "ENABLE_REPLACE = (\n    \"ENABLE_REPLACE\" in os.environ\n)\nif ENABLE_REPLACE:\n    MAX = int(\n        os.environ[\"MAX_REPLACE\"]\n    )\nIS_PROD = os.environ.get(\"ENV\") == \"production\"\nif IS_PROD:\n    KEY = os.environ[\"KEY\"]\nTOKEN = os.environ[\"TOKEN\"]\n";
        let reads: Vec<(String, bool)> =
            env_reads_in(&tokenize(src, Lang::Python), src, Lang::Python)
                .into_iter()
                .map(|r| (r.name, r.has_default || r.optional_use))
                .collect();
        assert_eq!(
            reads,
            [
                o("MAX_REPLACE", true),
                o("ENV", true),
                o("KEY", false),
                o("TOKEN", false)
            ]
        );
        assert_eq!(
            optional("const enabled = process.env.FEATURE_X === 'true';\nif (enabled) {\n  start(process.env.FEATURE_X_URL);\n}\nconst db = process.env.DB_URL;\n", Lang::Js),
            [o("FEATURE_X", true), o("FEATURE_X_URL", true), o("DB_URL", false)]
        );
    }

    #[test]
    fn env_schemas() {
        let schema = |src: &str| env_schema(&tokenize(src, Lang::Js));
        assert_eq!(
            schema("export const env = createEnv({\n  server: {\n    DATABASE_URL: z.string().url(),\n    SENTRY_DSN: z.string().url().optional(),\n    LOG_LEVEL: z.enum(['info', 'debug']).default('info'),\n  },\n  runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL, SENTRY_DSN: process.env.SENTRY_DSN },\n});\n"),
            Some(EnvSchema { optional: vec!["SENTRY_DSN".into(), "LOG_LEVEL".into()] })
        );
        assert_eq!(
            schema("const env = cleanEnv(process.env, { PORT: port({ default: 3000 }), API_KEY: str() });\n"),
            Some(EnvSchema { optional: vec!["PORT".into()] })
        );
        assert_eq!(
            schema("const Env = z.object({ REDIS_URL: z.string().default('redis://localhost') });\nexport const env = Env.parse(process.env);\n"),
            Some(EnvSchema { optional: vec!["REDIS_URL".into()] })
        );
        // A request-body schema in a route that reads the environment.
        assert_eq!(
            schema("const Body = z.object({ NAME: z.string().optional() });\nconst key = process.env.INTERNAL_API_KEY;\n"),
            None
        );
    }

    #[test]
    fn python_reads() {
        assert_eq!(
            reads("SECRET_KEY = os.environ.get('SECRET_KEY', 'dev-key')\nA = os.environ['A']\nB = env('B', default='x')\nC = os.getenv('C')\nD = config('D', cast=bool)\nE = env.bool('E', default=False)\nF = os.getenv('F') or 'lit'\n", Lang::Python),
            [r("SECRET_KEY", true, Some("dev-key")), r("A", false, None), r("B", true, Some("x")), r("C", false, None), r("D", false, None), r("E", true, None), r("F", true, Some("lit"))]
        );
    }

    #[test]
    fn ruby_go_rust_php_java_reads() {
        assert_eq!(
            reads("a = ENV.fetch('SECRET_KEY_BASE') { 'abc' }\nb = ENV['X'] || 'y'\nc = ENV.fetch('Z')\n", Lang::Ruby),
            [r("SECRET_KEY_BASE", true, Some("abc")), r("X", true, Some("y")), r("Z", false, None)]
        );
        assert_eq!(
            reads("s := getEnv(\"JWT_SECRET\", \"changeme\")\nt := os.Getenv(\"PORT\")\nfunc getEnv(key, def string) string {}", Lang::CLike),
            [r("JWT_SECRET", true, Some("changeme")), r("PORT", false, None)]
        );
        assert_eq!(
            reads("let s = std::env::var(\"SECRET\").unwrap_or(\"dev\".into());\nlet p = env::var(\"PORT\")?;", Lang::Rust),
            [r("SECRET", true, Some("dev")), r("PORT", false, None)]
        );
        assert_eq!(
            reads(
                "<?php\n'key' => env('APP_KEY'),\n'x' => env('MAIL_PASSWORD', 'secret'),",
                Lang::Php
            ),
            [
                r("APP_KEY", false, None),
                r("MAIL_PASSWORD", true, Some("secret"))
            ]
        );
        assert_eq!(
            reads("@Value(\"${JWT_SECRET:changeme}\") String s;", Lang::CLike),
            [r("JWT_SECRET", true, Some("changeme"))]
        );
    }

    #[test]
    fn go_and_java_emptiness_tests_make_reads_optional() {
        let optional = |src: &str| -> Vec<(String, bool)> {
            env_reads(&tokenize(src, Lang::CLike), Lang::CLike)
                .into_iter()
                .map(|r| (r.name, r.optional_use))
                .collect()
        };
        let go = "func f() {\n  p := os.Getenv(\"STATIC_PATH\")\n  if p != \"\" {\n    use(p)\n  }\n  if len(os.Getenv(\"SKIP_VERIFY\")) > 0 {\n    return\n  }\n  db := os.Getenv(\"DB_URL\")\n  if db == \"\" {\n    log.Fatal(\"DB_URL is required\")\n  }\n  k := os.Getenv(\"API_KEY\")\n  use(k)\n}\n";
        assert_eq!(
            optional(go),
            [
                ("STATIC_PATH".to_string(), true),
                ("SKIP_VERIFY".to_string(), true),
                // A test that stops the program is a requirement.
                ("DB_URL".to_string(), false),
                ("API_KEY".to_string(), false),
            ]
        );
        let java = "String h = System.getenv(\"PROXY_HOST\");\nif (h != null) { use(h); }\nString s = System.getenv(\"SECRET\");\n";
        assert_eq!(
            optional(java),
            [
                ("PROXY_HOST".to_string(), true),
                ("SECRET".to_string(), false)
            ]
        );
    }

    #[test]
    fn python_debug_settings() {
        let src = "DEBUG = True\nDEBUG = env.bool('DJANGO_DEBUG', default=True)\nDEBUG = os.environ.get('DEBUG', 'False') == 'True'\nfrom .local import *\nif __name__ == '__main__':\n    app.run(debug=True)\napp.run(host='0.0.0.0', debug=True)\n";
        let kinds: Vec<DebugKind> = debug_settings(&tokenize(src, Lang::Python), src, Lang::Python)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(kinds[0], DebugKind::DebugTrue);
        assert_eq!(kinds[1], DebugKind::DebugFallbackTrue);
        assert_eq!(kinds[2], DebugKind::DebugOther);
        assert_eq!(kinds[3], DebugKind::StarImport);
        assert!(matches!(
            &kinds[4],
            DebugKind::RunFlag {
                in_main_guard: true,
                ..
            }
        ));
        assert!(matches!(
            &kinds[5],
            DebugKind::RunFlag {
                in_main_guard: false,
                ..
            }
        ));
    }

    #[test]
    fn zod_schema_defaults() {
        let src = r#"
import { z } from "zod";
export const env = createEnv({
  server: {
    JWT_SECRET: z.string().min(32).default("please-change-me-32-characters!!"),
    "SESSION_SECRET": z.string().default('s3ss10n'),
    AUTH_SECRET: isDev ? z.string().default("dev") : z.string(),
    PORT: z.coerce.number().default(3000),
    LOG_LEVEL: z.enum(["info", "debug"]).default("info"),
    DATABASE_URL: z.string().url(),
  },
  runtimeEnv: process.env,
});
const options = { mode: other.default("x") };
"#;
        let tokens = tokenize(src, Lang::Js);
        let found: Vec<(String, String, u32)> = schema_defaults(&tokens)
            .into_iter()
            .map(|d| (d.name, d.default, d.line))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "JWT_SECRET".into(),
                    "please-change-me-32-characters!!".into(),
                    5
                ),
                ("SESSION_SECRET".into(), "s3ss10n".into(), 6),
                ("LOG_LEVEL".into(), "info".into(), 9),
            ]
        );
    }
}
