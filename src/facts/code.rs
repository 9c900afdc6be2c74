//! Source code, as far as rules need it: a lexer that knows each language's
//! strings and comments (and JavaScript's template literals and regular
//! expressions), so that what rules see is code — a route registered as
//! `app.get("/health")` — never a comment or a string that mentions it.
//!
//! One lexer serves the C-like languages (JavaScript/TypeScript, Java,
//! Kotlin, Groovy, Go, Rust, PHP) and the `#`-comment ones (Python, Ruby).

/// The lexical family of a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// JavaScript/TypeScript: template literals and regex literals.
    Js,
    /// Java, Kotlin, Groovy, Go, C#: `//` and `/* */` comments.
    CLike,
    /// Rust: C-like, where `'a` is a lifetime rather than a quote.
    Rust,
    /// PHP: C-like plus `#` comments.
    Php,
    /// Python: `#` comments, prefixed and triple-quoted strings.
    Python,
    /// Ruby: `#` comments.
    Ruby,
}

impl Lang {
    /// The family of a file, by extension.
    pub fn of_extension(ext: &str) -> Option<Lang> {
        Some(match ext {
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Lang::Js,
            "java" | "kt" | "kts" | "groovy" | "gradle" | "go" | "cs" | "scala" => Lang::CLike,
            "rs" => Lang::Rust,
            "php" => Lang::Php,
            "py" => Lang::Python,
            // Rake task files (`lib/tasks/*.rake`) are Ruby.
            "rb" | "ru" | "rake" => Lang::Ruby,
            // Elixir: `#` comments and quoted strings, like Ruby.
            "ex" | "exs" => Lang::Ruby,
            _ => return None,
        })
    }

    fn slash_comments(self) -> bool {
        matches!(self, Lang::Js | Lang::CLike | Lang::Rust | Lang::Php)
    }

    fn hash_comments(self) -> bool {
        matches!(self, Lang::Php | Lang::Python | Lang::Ruby)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Ident(String),
    Str(String),
    Punct(char),
    /// A number or a regular expression literal: a value rules never read.
    Value,
}

/// The name at token `i`, if the token is one.
pub fn ident_at(tokens: &[Spanned], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Ident(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// The string literal at token `i`, if the token is one.
pub fn string_at(tokens: &[Spanned], i: usize) -> Option<&str> {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Str(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Whether token `i` is the punctuation `c`.
pub fn punct_at(tokens: &[Spanned], i: usize, c: char) -> bool {
    matches!(tokens.get(i).map(|t| &t.token), Some(Token::Punct(p)) if *p == c)
}

#[derive(Debug, Clone)]
pub struct Spanned {
    pub token: Token,
    pub line: u32,
}

pub fn tokenize(src: &str, lang: Lang) -> Vec<Spanned> {
    let bytes = src.as_bytes();
    let mut out: Vec<Spanned> = Vec::new();
    let mut line = 1u32;
    let mut i = 0;
    let count_lines = |from: usize, to: usize| -> u32 {
        bytes[from..to.min(bytes.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
    };
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let token_line = line;
        let token = match c {
            b'\n' => {
                line += 1;
                i += 1;
                None
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                None
            }
            b'/' if lang.slash_comments() && bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                None
            }
            b'#' if lang.hash_comments()
                && !(lang == Lang::Php && bytes.get(i + 1) == Some(&b'[')) =>
            {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                None
            }
            b'"' | b'\'' if lang == Lang::Python && bytes[i..].starts_with(&[c, c, c]) => {
                // A triple-quoted string (often a docstring).
                i += 3;
                let body_start = i;
                while i < bytes.len() && !bytes[i..].starts_with(&[c, c, c]) {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let value =
                    String::from_utf8_lossy(&bytes[body_start..i.min(bytes.len())]).into_owned();
                i = (i + 3).min(bytes.len());
                line += count_lines(start, i);
                Some(Token::Str(value))
            }
            b'/' if lang.slash_comments() && bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                line += count_lines(start, i);
                None
            }
            b'/' if lang == Lang::Js && regex_allowed(out.last()) => {
                // A regular expression ends at its closing `/` or, if
                // unterminated (a JSX closing tag read as one), at the end of
                // the line, which is left for the line count.
                i += 1;
                let mut in_class = false;
                while i < bytes.len() && bytes[i] != b'\n' {
                    match bytes[i] {
                        b'\\' if bytes.get(i + 1).is_some_and(|n| *n != b'\n') => i += 1,
                        b'[' => in_class = true,
                        b']' => in_class = false,
                        b'/' if !in_class => {
                            i += 1;
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
                Some(Token::Value)
            }
            b'\'' if lang == Lang::Rust && is_rust_lifetime(&bytes[i..]) => {
                // `'a` in Rust is a lifetime, not the start of a char literal.
                i += 1;
                None
            }
            b'"' | b'\'' => {
                i += 1;
                let mut value = Vec::new();
                while i < bytes.len() && bytes[i] != c && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    value.push(bytes[i]);
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                line += count_lines(start, i);
                Some(Token::Str(String::from_utf8_lossy(&value).into_owned()))
            }
            b'`' if lang == Lang::Js || lang == Lang::CLike => {
                let (value, end) = template(bytes, i + 1, 0);
                i = end;
                line += count_lines(start, i);
                Some(Token::Str(value))
            }
            c if c.is_ascii_digit() => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    i += 1;
                }
                Some(Token::Value)
            }
            c if is_ident_byte(c) => {
                while i < bytes.len() && (is_ident_byte(bytes[i]) || bytes[i].is_ascii_digit()) {
                    i += 1;
                }
                let word = &bytes[start..i];
                let string_prefix = lang == Lang::Python
                    && word.len() <= 2
                    && word.iter().all(|b| b"rbfuRBFU".contains(b))
                    && matches!(bytes.get(i), Some(b'"' | b'\''));
                // Python's r"…"/f"…" prefixes belong to the string that follows.
                (!string_prefix).then(|| Token::Ident(String::from_utf8_lossy(word).into_owned()))
            }
            _ => {
                i += 1;
                Some(Token::Punct(c as char))
            }
        };
        if let Some(token) = token {
            out.push(Spanned {
                token,
                line: token_line,
            });
        }
    }
    out
}

/// `'a` followed by something other than a closing quote: a lifetime.
fn is_rust_lifetime(rest: &[u8]) -> bool {
    rest.len() >= 3 && (rest[1].is_ascii_alphabetic() || rest[1] == b'_') && rest[2] != b'\''
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

/// Reads a template literal body from `i` (just after the backtick).
/// `${…}` placeholders are kept as `${}` so the static text stays comparable.
/// Nesting is bounded so that hostile input cannot exhaust the stack.
fn template(bytes: &[u8], mut i: usize, depth_of_nesting: u32) -> (String, usize) {
    let mut value = Vec::new();
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if let Some(n) = bytes.get(i + 1) {
                    value.push(*n);
                }
                i += 2;
            }
            b'`' => return (String::from_utf8_lossy(&value).into_owned(), i + 1),
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                value.extend_from_slice(b"${}");
                i += 2;
                let mut depth = 1;
                while i < bytes.len() && depth > 0 {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        b'`' if depth_of_nesting < 32 => {
                            let (_, end) = template(bytes, i + 1, depth_of_nesting + 1);
                            i = end.saturating_sub(1);
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            other => {
                value.push(other);
                i += 1;
            }
        }
    }
    (String::from_utf8_lossy(&value).into_owned(), bytes.len())
}

/// A `/` starts a regular expression unless it follows a value.
fn regex_allowed(prev: Option<&Spanned>) -> bool {
    match prev.map(|s| &s.token) {
        None => true,
        Some(Token::Ident(word)) => matches!(
            word.as_str(),
            "return"
                | "typeof"
                | "case"
                | "do"
                | "else"
                | "in"
                | "of"
                | "new"
                | "delete"
                | "void"
                | "throw"
                | "yield"
                | "await"
        ),
        Some(Token::Str(_)) | Some(Token::Value) => false,
        Some(Token::Punct(p)) => !matches!(p, ')' | ']' | '}'),
    }
}

/// Method, function, decorator and annotation names through which frameworks
/// register routes, across languages: Express/Koa/Hono/Fastify
/// (`app.get("/x")`), NestJS (`@Get("x")`), Flask/FastAPI (`@app.route`,
/// `@router.get`), Rails (`get "up"`), Laravel (`Route::get`), Spring
/// (`@GetMapping`), JAX-RS (`@Path`), Go (`HandleFunc`, `r.GET`), axum
/// (`.route`), actix/rocket (`#[get("/x")]`), warp (`warp::path`).
const ROUTE_CALLS: &[&str] = &[
    "All",
    "Controller",
    "GET",
    "Get",
    "GetMapping",
    "HEAD",
    "Handle",
    "HandleFunc",
    "Head",
    // ASP.NET Core: `[HttpGet("health")]`, `[Route("api/health")]`,
    // `app.MapGet("/healthz", …)`, `app.MapHealthChecks("/health")`.
    "HttpGet",
    "MapGet",
    "MapHealthChecks",
    "Route",
    "UseHealthChecks",
    "Path",
    "RequestMapping",
    "add_api_route",
    "add_url_rule",
    "all",
    "any",
    "api_route",
    "at",
    "delete",
    "get",
    "head",
    "match",
    "mount",
    "on",
    "options",
    "patch",
    "path",
    "post",
    "put",
    "re_path",
    "resource",
    "route",
    "url",
    "use",
];

/// Calls that take a route as first argument wherever they appear, not only
/// as methods: Django's `path()`/`re_path()`/`url()` in urls.py, and Rails'
/// `get "up"` without parentheses.
const PYTHON_BARE_ROUTE_CALLS: &[&str] = &["path", "re_path", "url"];
const RUBY_BARE_ROUTE_CALLS: &[&str] = &["get", "match"];

/// Object keys and named arguments that carry a route path (Fastify
/// `{ url }`, hapi `{ path }`, Laravel `health: '/up'`, Spring `value = "/x"`).
const ROUTE_KEYS: &[&str] = &["path", "route", "url", "value"];

/// Receivers of `.get(…)` that are HTTP clients, not routers.
const HTTP_CLIENTS: &[&str] = &[
    "aiohttp",
    "client",
    "httpx",
    "session",
    "$http",
    "axios",
    "fetcher",
    "got",
    "http",
    "httpClient",
    "https",
    "ky",
    "request",
    "requests",
    "superagent",
];

/// Words that mark an object or annotation as a route definition.
const ROUTE_DEFINITION_WORDS: &[&str] = &[
    "GetMapping",
    "RequestMapping",
    "handle",
    "handler",
    "method",
    "methods",
    "withRouting",
];

/// String literals used as route paths, with their lines.
pub fn route_paths(tokens: &[Spanned], lang: Lang) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(value) = &tok.token else {
            continue;
        };
        let prev = |n: usize| {
            i.checked_sub(n)
                .and_then(|j| tokens.get(j))
                .map(|s| &s.token)
        };
        let route_call = |t: Option<&Token>| matches!(t, Some(Token::Ident(name)) if ROUTE_CALLS.contains(&name.as_str()));
        let bare_call = |t: Option<&Token>| {
            let calls = if lang == Lang::Python {
                PYTHON_BARE_ROUTE_CALLS
            } else {
                RUBY_BARE_ROUTE_CALLS
            };
            matches!(t, Some(Token::Ident(name)) if calls.contains(&name.as_str()))
        };
        // `axios.get("/x")` requests a route of another service (but Go's
        // `http.HandleFunc` registers one on the default mux).
        let verb =
            matches!(prev(2), Some(Token::Ident(m)) if m.chars().all(|c| c.is_ascii_lowercase()));
        let client_receiver =
            verb && matches!(prev(4), Some(Token::Ident(r)) if HTTP_CLIENTS.contains(&r.as_str()));
        // In Python, `x.get("/health")` registers a route only as a
        // decorator (`@app.get`); elsewhere it is a client or a dict.
        let python_ok = lang != Lang::Python
            || matches!(prev(5), Some(Token::Punct('@')))
            || matches!(prev(2), Some(Token::Ident(m)) if m == "add_api_route" || m == "add_url_rule");
        let is_call_arg = matches!(prev(1), Some(Token::Punct('(')))
            && route_call(prev(2))
            && matches!(prev(3), Some(Token::Punct('.' | '@' | '[' | ':' | '>')))
            && !client_receiver
            && python_ok;
        // `r.HandleFunc(baseUrl + "/_healthz", …)`: a route under a prefix
        // variable is still a route of this server.
        let is_prefixed_call_arg = lang != Lang::Python
            && matches!(prev(1), Some(Token::Punct('+')))
            && matches!(prev(2), Some(Token::Ident(_)))
            && matches!(prev(3), Some(Token::Punct('(')))
            && route_call(prev(4))
            && matches!(prev(5), Some(Token::Punct('.' | ':' | '>')))
            && !matches!(prev(6), Some(Token::Ident(r)) if HTTP_CLIENTS.contains(&r.as_str()));
        let is_bare_call = match lang {
            Lang::Python => matches!(prev(1), Some(Token::Punct('('))) && bare_call(prev(2)),
            Lang::Ruby => {
                bare_call(prev(1))
                    || (matches!(prev(1), Some(Token::Punct('('))) && bare_call(prev(2)))
            }
            _ => false,
        };
        // A `url:`/`path:` key is a route only in a route definition: an
        // object with a `method`/`handler`, or an annotation's arguments.
        let is_keyed = match (prev(1), prev(2)) {
            (Some(Token::Punct(':' | '=')), Some(Token::Ident(key))) if key == "health" => true,
            (Some(Token::Punct(':' | '=')), Some(Token::Ident(key)))
                if ROUTE_KEYS.contains(&key.as_str()) =>
            {
                let lo = i.saturating_sub(12);
                let hi = (i + 12).min(tokens.len());
                tokens[lo..hi].iter().any(|t| {
                    matches!(&t.token, Token::Ident(w) if ROUTE_DEFINITION_WORDS.contains(&w.as_str()))
                })
            }
            _ => false,
        };
        // A path built on another URL (`${BASE}/healthz`) is a request.
        let absolute_elsewhere = value.starts_with("${}") || value.starts_with("http");
        if (is_call_arg || is_prefixed_call_arg || is_bare_call || is_keyed) && !absolute_elsewhere
        {
            out.push((aspnet_controller_route(value, &tokens[i..]), tok.line));
        }
    }
    out
}

/// ASP.NET Core's `[Route("api/[controller]")]` on `class HealthController`
/// serves `/api/health`: the token stands for the class name without its
/// `Controller` suffix, lower-cased here (routing ignores case).
fn aspnet_controller_route(value: &str, rest: &[Spanned]) -> String {
    if !value.contains("[controller]") {
        return value.to_string();
    }
    let class = rest
        .windows(2)
        .take(64)
        .find_map(|w| match (&w[0].token, &w[1].token) {
            (Token::Ident(k), Token::Ident(name)) if k == "class" => {
                name.strip_suffix("Controller")
            }
            _ => None,
        });
    match class {
        Some(name) => value.replace("[controller]", &name.to_ascii_lowercase()),
        None => value.to_string(),
    }
}

/// Identifiers whose presence rules ask about.
pub const NOTABLE_IDENTIFIERS: &[&str] = &["DATABASES"];

pub fn notable_identifiers(tokens: &[Spanned]) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = NOTABLE_IDENTIFIERS
        .iter()
        .copied()
        .filter(|name| has_ident(tokens, name))
        .collect();
    // Go: the standard library's HTTP server is started
    // (`http.ListenAndServe(…)`, `&http.Server{…}`), not an SSH server's
    // method of the same name.
    if tokens.windows(3).any(|w| {
        matches!(
            (&w[0].token, &w[1].token, &w[2].token),
            (Token::Ident(pkg), Token::Punct('.'), Token::Ident(name))
                if pkg == "http" && matches!(name.as_str(), "ListenAndServe" | "ListenAndServeTLS" | "Server" | "Serve")
        )
    }) {
        found.push("http server");
    }
    // Go: `package main` makes a binary.
    if tokens.windows(2).any(|w| {
        matches!((&w[0].token, &w[1].token), (Token::Ident(a), Token::Ident(b)) if a == "package" && b == "main")
    }) {
        found.push("package main");
    }
    // Rails 2: `config/environment.rb` pins the framework and runs
    // `Rails::Initializer` (there is no Gemfile to name it).
    if has_ident(tokens, "RAILS_GEM_VERSION")
        || has_ident(tokens, "Initializer") && has_ident(tokens, "Rails")
    {
        found.push("rails initializer");
    }
    found
}

/// Modules and packages a file imports, first component only for Python
/// (`flask` for `from flask.views import …`), whole paths for Go
/// (`github.com/gin-gonic/gin`) and Ruby (`sinatra/base`), in file order
/// without repeats, each with the line that first imports it.
/// Manifest-less apps are known by them.
pub fn imports(tokens: &[Spanned], lang: Lang) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    let mut push = |name: &str, line: u32| {
        if !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
            out.push((name.to_string(), line));
        }
    };
    let starts_line = |i: usize| i == 0 || tokens[i - 1].line < tokens[i].line;
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i].token, lang) {
            // `from x.y import z`, `import x, y as z`: statements at the
            // start of a line (a `from` inside an expression is not one).
            (Token::Ident(kw), Lang::Python) if kw == "from" && starts_line(i) => {
                if let Some(Token::Ident(module)) = tokens.get(i + 1).map(|t| &t.token) {
                    push(module, tokens[i].line);
                }
            }
            (Token::Ident(kw), Lang::Python) if kw == "import" && starts_line(i) => {
                let line = tokens[i].line;
                let mut expect_name = true;
                let mut j = i + 1;
                while let Some(t) = tokens.get(j).filter(|t| t.line == line) {
                    match &t.token {
                        Token::Ident(name) if expect_name => {
                            push(name, t.line);
                            expect_name = false;
                        }
                        Token::Punct(',') => expect_name = true,
                        _ => {}
                    }
                    j += 1;
                }
            }
            // Go: `import "x"` and `import ( "x"; alias "y" )`.
            (Token::Ident(kw), Lang::CLike) if kw == "import" => {
                match tokens.get(i + 1).map(|t| &t.token) {
                    Some(Token::Str(path)) => push(path, tokens[i].line),
                    Some(Token::Punct('(')) => {
                        let mut j = i + 2;
                        while let Some(t) = tokens.get(j) {
                            match &t.token {
                                Token::Str(path) => push(path, t.line),
                                Token::Punct(')') => break,
                                _ => {}
                            }
                            j += 1;
                        }
                        i = j;
                    }
                    _ => {}
                }
            }
            // Ruby: `require "x"` and `require("x")`.
            (Token::Ident(kw), Lang::Ruby) if kw == "require" => {
                let next = match tokens.get(i + 1).map(|t| &t.token) {
                    Some(Token::Punct('(')) => tokens.get(i + 2).map(|t| &t.token),
                    other => other,
                };
                if let Some(Token::Str(path)) = next {
                    push(path, tokens[i].line);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The controller that handles each route registration naming one, by
/// the line of the route's path: Laravel's `Route::get('/status',
/// [RecipientController::class, 'status'])` and `'RecipientController@status'`,
/// Rails' `get 'status', to: 'recipients#status'` (`recipients`).
pub fn route_controllers(tokens: &[Spanned], lang: Lang) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    if !matches!(lang, Lang::Php | Lang::Ruby) {
        return out;
    }
    let at = |i: usize| tokens.get(i).map(|t| &t.token);
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(path) = &tok.token else {
            continue;
        };
        if path.contains('@') || path.contains('#') {
            continue;
        }
        let controller = match (at(i + 1), at(i + 2), at(i + 3), at(i + 4)) {
            // `, [X::class, 'method']`
            (
                Some(Token::Punct(',')),
                Some(Token::Punct('[')),
                Some(Token::Ident(x)),
                Some(Token::Punct(':')),
            ) => Some(x.clone()),
            // `, 'XController@method'` (PHP).
            (Some(Token::Punct(',')), Some(Token::Str(h)), _, _) if h.contains('@') => {
                h.split('@').next().map(str::to_string)
            }
            // `=> 'x#method'` (Ruby).
            (Some(Token::Punct('=')), Some(Token::Punct('>')), Some(Token::Str(h)), _)
                if h.contains('#') =>
            {
                h.split('#').next().map(str::to_string)
            }
            // Ruby `, to: 'x#method'`.
            (
                Some(Token::Punct(',')),
                Some(Token::Ident(to)),
                Some(Token::Punct(':')),
                Some(Token::Str(h)),
            ) if to == "to" && h.contains('#') => h.split('#').next().map(str::to_string),
            _ => None,
        };
        if let Some(c) = controller.filter(|c| !c.is_empty()) {
            out.push((tok.line, c));
        }
    }
    out
}

/// The requirement names a `setup.py` declares: string literals that read
/// as a PEP 508 requirement (`"pyramid"`, `'waitress>=1.0'`), lowercased
/// with `_` and `.` as `-`. Classifier strings (`"Framework :: Pyramid"`)
/// and prose do not qualify.
pub fn setup_py_requirements(tokens: &[Spanned]) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for t in tokens {
        let Token::Str(value) = &t.token else {
            continue;
        };
        let value = value.trim();
        let end = value
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(value.len());
        let (name, rest) = value.split_at(end);
        let rest = rest.trim_start();
        let spec = rest.is_empty() || rest.starts_with(['<', '>', '=', '!', '~', '[', ';']);
        if name.is_empty() || !spec || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name = name.to_ascii_lowercase().replace(['_', '.'], "-");
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, t.line));
        }
    }
    out
}

/// Whether code starts an application server itself: Python/Ruby calls
/// that run, serve or build one (`run(host=…)`, `app.listen(8888)`,
/// `make_server(…)`, `config.make_wsgi_app()`, `Flask(__name__)`), or
/// Node's `http.createServer(…)` with a `listen`.
pub fn starts_app_server(tokens: &[Spanned], lang: Lang) -> bool {
    let called = |name: &str| {
        tokens.windows(2).any(|w| {
            matches!((&w[0].token, &w[1].token), (Token::Ident(n), Token::Punct('(')) if n == name)
        })
    };
    match lang {
        Lang::Js => called("createServer") && has_ident(tokens, "listen"),
        // One pass for all the names (a pass per name was twelve passes
        // over every Python file's tokens).
        Lang::Python | Lang::Ruby => tokens.windows(2).any(|w| {
            matches!((&w[0].token, &w[1].token), (Token::Ident(n), Token::Punct('('))
                if PYTHON_RUBY_SERVER_CALLS.contains(&n.as_str()))
        }),
        _ => false,
    }
}

/// Calls that start (or build) a Python or Ruby app server.
const PYTHON_RUBY_SERVER_CALLS: &[&str] = &[
    "run",
    "listen",
    "serve_forever",
    "make_server",
    "make_wsgi_app",
    "Flask",
    "Bottle",
    "FastAPI",
    "Configurator",
    "Application",
    // Plotly Dash: `dash.Dash(__name__)` … `app.run_server()`.
    "Dash",
    "run_server",
];

pub fn path_literals(tokens: &[Spanned]) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Token::Str(v) = &t.token else { continue };
        if !v.starts_with('/') || v.len() > 64 || v.contains(' ') || v.starts_with("//") {
            continue;
        }
        let prev = |n: usize| {
            i.checked_sub(n)
                .and_then(|j| tokens.get(j))
                .map(|s| &s.token)
        };
        // Requests, not routes: `client.get("/health")`, `fetch("/health")`,
        // `base + "/healthz"` (a URL of another service being built).
        let request = matches!(prev(1), Some(Token::Punct('(')))
            && matches!(prev(2), Some(Token::Ident(m)) if HTTP_VERBS.contains(&m.as_str()))
            && matches!(prev(3), Some(Token::Punct('.')) | None)
            || matches!(prev(1), Some(Token::Punct('(')))
                && matches!(prev(2), Some(Token::Ident(m)) if m == "fetch" || m == "urlopen")
            || matches!(prev(1), Some(Token::Punct('+')));
        if !request {
            out.push((v.clone(), t.line));
        }
    }
    out
}

/// Method names of HTTP clients (and of routers: route registrations are
/// read by `route_paths`, which knows receivers and decorators).
const HTTP_VERBS: &[&str] = &["delete", "get", "head", "patch", "post", "put", "request"];

/// Whether the file names an identifier (`GET` in a route handler module).
/// A method call `.name(`: `app.listen(3000)`, `server.listen({ port })`.
pub fn calls_method(tokens: &[Spanned], name: &str) -> bool {
    tokens.windows(3).any(|w| {
        matches!(
            (&w[0].token, &w[1].token, &w[2].token),
            (Token::Punct('.'), Token::Ident(n), Token::Punct('(')) if n == name
        )
    })
}

pub fn has_ident(tokens: &[Spanned], name: &str) -> bool {
    tokens
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(n) if n == name))
}

/// A `key: "value"` in an object literal, with the keys of the objects
/// around it: in `{ production: { client: "pg" } }` the path of `client` is
/// `["production"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedString {
    pub path: Vec<String>,
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// How many enclosing keys a property's path keeps.
const MAX_PATH_KEYS: usize = 8;

/// Every `key: "value"` in the file, in order, with its object path.
pub fn string_properties(tokens: &[Spanned]) -> Vec<KeyedString> {
    let mut out = Vec::new();
    // One entry per open bracket: the key it is the value of, if any.
    let mut stack: Vec<Option<String>> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let prev = |n: usize| {
            i.checked_sub(n)
                .and_then(|j| tokens.get(j))
                .map(|s| &s.token)
        };
        match &t.token {
            Token::Punct('{' | '[' | '(') => {
                let key = match (prev(1), prev(2)) {
                    (Some(Token::Punct(':')), Some(Token::Ident(k) | Token::Str(k))) => {
                        Some(k.clone())
                    }
                    _ => None,
                };
                stack.push(key);
            }
            Token::Punct('}' | ']' | ')') => {
                stack.pop();
            }
            // Booleans too (`ssr: false`), recorded as "true"/"false".
            Token::Str(_) | Token::Ident(_) => {
                let value = match &t.token {
                    Token::Str(v) => v,
                    Token::Ident(v) if v == "true" || v == "false" => v,
                    _ => continue,
                };
                if let (Some(Token::Punct(':')), Some(Token::Ident(k) | Token::Str(k))) =
                    (prev(1), prev(2))
                {
                    out.push(KeyedString {
                        // The outer keys decide (`production.client`); a cap
                        // keeps hostile nesting from copying quadratically.
                        path: stack
                            .iter()
                            .flatten()
                            .take(MAX_PATH_KEYS)
                            .cloned()
                            .collect(),
                        key: k.clone(),
                        value: value.clone(),
                        line: t.line,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn imports_by_language() {
        let py = "import os, sys as system\nfrom bottle import route, run\nfrom tornado.web import Application\nx = 1 if a else b\n";
        let names: Vec<String> = imports(&tokenize(py, Lang::Python), Lang::Python)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["os", "sys", "bottle", "tornado"]);
        let go = "package main\n\nimport (\n\t\"fmt\"\n\tgin \"github.com/gin-gonic/gin\"\n)\nimport \"net/http\"\n";
        let found = imports(&tokenize(go, Lang::CLike), Lang::CLike);
        assert_eq!(
            found,
            vec![
                ("fmt".to_string(), 4),
                ("github.com/gin-gonic/gin".to_string(), 5),
                ("net/http".to_string(), 7)
            ]
        );
        let rb = "require 'sinatra'\nrequire(\"json\")\n";
        let names: Vec<String> = imports(&tokenize(rb, Lang::Ruby), Lang::Ruby)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["sinatra", "json"]);
    }

    #[test]
    fn setup_py_requirements_skip_classifiers_and_prose() {
        let src = "requires = ['pyramid', 'waitress>=1.0', 'SQLAlchemy']\nsetup(name='app', classifiers=['Framework :: Pyramid'], description='A web app', install_requires=requires)\n";
        let names: Vec<String> = setup_py_requirements(&tokenize(src, Lang::Python))
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["pyramid", "waitress", "sqlalchemy", "app"]);
    }

    #[test]
    fn route_controllers_by_line() {
        let php = "<?php\nRoute::get(\"/list\", [RecipientController::class, 'messagingList']);\nRoute::get(\"/status\", [RecipientController::class, 'status']);\nRoute::get('/up', 'HealthController@show');\nRoute::get('/ping', function () { return 'pong'; });\n";
        assert_eq!(
            route_controllers(&tokenize(php, Lang::Php), Lang::Php),
            vec![
                (2, "RecipientController".to_string()),
                (3, "RecipientController".to_string()),
                (4, "HealthController".to_string())
            ]
        );
        let rb = "get 'status', to: 'applicants#status'\nget 'up' => 'rails/health#show'\n";
        assert_eq!(
            route_controllers(&tokenize(rb, Lang::Ruby), Lang::Ruby),
            vec![
                (1, "applicants".to_string()),
                (2, "rails/health".to_string())
            ]
        );
    }

    #[test]
    fn servers_started_by_code() {
        let bottle = "from bottle import run\nrun(host='0.0.0.0', port=8080)\n";
        assert!(starts_app_server(
            &tokenize(bottle, Lang::Python),
            Lang::Python
        ));
        let script = "import tornado.ioloop\ntornado.ioloop.IOLoop.current().run_sync(main)\n";
        assert!(!starts_app_server(
            &tokenize(script, Lang::Python),
            Lang::Python
        ));
        let node = "const http = require('http');\nhttp.createServer(handler).listen(3000);\n";
        assert!(starts_app_server(&tokenize(node, Lang::Js), Lang::Js));
        let client = "const http = require('http');\nhttp.get('http://x', cb);\n";
        assert!(!starts_app_server(&tokenize(client, Lang::Js), Lang::Js));
    }
    use super::*;

    #[test]
    fn finds_route_registrations_not_comments() {
        let src = r#"
// app.get('/healthz', h)
const re = /\/health/g;
app.get("/health", (req, res) => res.send(`ok ${1 + 2}`));
fastify.route({ method: 'GET', url: '/ready', handler });
@Controller('status')
const x = a / b / "not-a-route";
/* router.get('/livez')
*/ router.get(`/ping`)
"#;
        let tokens = tokenize(src, Lang::Js);
        let routes = route_paths(&tokens, Lang::Js);
        assert_eq!(
            routes,
            [
                ("/health".to_string(), 4),
                ("/ready".to_string(), 5),
                ("status".to_string(), 6),
                ("/ping".to_string(), 9)
            ]
        );
    }

    #[test]
    fn reads_string_properties() {
        let tokens = tokenize(
            "module.exports = {\n  // output: 'standalone',\n  output: 'export' }",
            Lang::Js,
        );
        let props = string_properties(&tokens);
        assert_eq!(props.len(), 1);
        assert_eq!(
            (
                props[0].key.as_str(),
                props[0].value.as_str(),
                props[0].line
            ),
            ("output", "export", 3)
        );
        let tokens = tokenize(
            "module.exports = {\n  development: { client: 'sqlite3', connection: { filename: './dev.db' } },\n  production: { client: 'pg' },\n};",
            Lang::Js,
        );
        let props = string_properties(&tokens);
        let summary: Vec<(String, &str, &str)> = props
            .iter()
            .map(|p| (p.path.join("."), p.key.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("development".to_string(), "client", "sqlite3"),
                ("development.connection".to_string(), "filename", "./dev.db"),
                ("production".to_string(), "client", "pg"),
            ]
        );
    }

    fn routes(src: &str, lang: Lang) -> Vec<String> {
        route_paths(&tokenize(src, lang), lang)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn routes_across_languages() {
        assert_eq!(
            routes("# path('old/', v)\nurlpatterns = [\n    path(\"health/\", views.health),\n    re_path(r'^ping$', v),\n]\n@app.get(\"/readyz\")\n", Lang::Python),
            ["health/", "^ping$", "/readyz"]
        );
        assert_eq!(
            routes("Rails.application.routes.draw do\n  # get 'x'\n  get \"up\" => \"rails/health#show\", as: :rails_health_check\nend\n", Lang::Ruby),
            ["up"]
        );
        assert_eq!(
            routes(
                "<?php\nRoute::get('/health', fn () => 'ok');\n# Route::get('/x')\n",
                Lang::Php
            ),
            ["/health"]
        );
        assert_eq!(
            routes(
                "@GetMapping(\"/healthz\")\npublic String h() {}",
                Lang::CLike
            ),
            ["/healthz"]
        );
        assert_eq!(
            routes(
                "mux.HandleFunc(\"GET /livez\", h)\nr.GET(\"/ping\", h)",
                Lang::CLike
            ),
            ["GET /livez", "/ping"]
        );
        assert_eq!(
            routes(
                "r.HandleFunc(baseUrl+\"/_healthz\", h)\nhttp.Get(base+\"/x\")\nfoo(a+\"/y\")",
                Lang::CLike
            ),
            ["/_healthz"]
        );
        assert_eq!(
            routes("[Route(\"api/[controller]\")]\npublic class HealthController : ControllerBase {}\n[HttpGet(\"ready\")]\nvoid R() {}\napp.MapHealthChecks(\"/healthz\");\n", Lang::CLike),
            vec!["api/health", "ready", "/healthz"]
        );
        assert_eq!(
            routes("fn f<'a>(x: &'a str) {}\n#[get(\"/health\")]\nasync fn h() {}\nRouter::new().route(\"/up\", get(h))", Lang::Rust),
            ["/health", "/up"]
        );
    }

    #[test]
    fn lines_stay_right_after_regex_like_input() {
        // Found by fuzzing: an unterminated "regex" must not swallow a newline.
        for src in [
            "/\\\n/\n}",
            "/\n}",
            "export default function Page() {\n  return <h1>CRM</h1>;\n}\n",
        ] {
            let tokens = tokenize(src, Lang::Js);
            let lines = src.lines().count().max(1) as u32;
            let last = tokens.last().map(|t| t.line).unwrap_or(1);
            assert!(
                last <= lines,
                "{src:?}: last token on line {last} of {lines}"
            );
            assert_eq!(
                tokens.last().map(|t| &t.token),
                Some(&Token::Punct('}')),
                "{src:?}"
            );
            assert_eq!(last, lines, "{src:?}");
        }
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for src in ["`abc ${", "'abc", "/* x", "/[", "`${`${`", "a / b"] {
            for lang in [
                Lang::Js,
                Lang::CLike,
                Lang::Rust,
                Lang::Php,
                Lang::Python,
                Lang::Ruby,
            ] {
                let _ = tokenize(src, lang);
            }
        }
    }
}
