//! JavaScript/TypeScript, as far as rules need it: a lexer that knows strings,
//! template literals, comments and regular expressions, so that what rules see
//! is code (a route registered as `app.get("/health")`), never a comment.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Ident(String),
    Str(String),
    Punct(char),
    /// A number or a regular expression literal: a value rules never read.
    Value,
}

#[derive(Debug, Clone)]
pub struct Spanned {
    pub token: Token,
    pub line: u32,
}

pub fn tokenize(src: &str) -> Vec<Spanned> {
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
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                None
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(bytes.len());
                line += count_lines(start, i);
                None
            }
            b'/' if regex_allowed(out.last()) => {
                i += 1;
                let mut in_class = false;
                while i < bytes.len() && bytes[i] != b'\n' {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'[' => in_class = true,
                        b']' => in_class = false,
                        b'/' if !in_class => break,
                        _ => {}
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                Some(Token::Value)
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
            b'`' => {
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
                Some(Token::Ident(
                    String::from_utf8_lossy(&bytes[start..i]).into_owned(),
                ))
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

/// Method and decorator names through which frameworks register routes:
/// Express/Koa/Hono/Fastify (`app.get("/x")`), NestJS (`@Get("x")`).
const ROUTE_CALLS: &[&str] = &[
    "All",
    "Controller",
    "Get",
    "Head",
    "all",
    "delete",
    "get",
    "head",
    "on",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "use",
];

/// Object keys that carry a route path (Fastify `{ url }`, Hapi `{ path }`).
const ROUTE_KEYS: &[&str] = &["path", "route", "url"];

/// String literals used as route paths, with their lines.
pub fn route_paths(tokens: &[Spanned]) -> Vec<(String, u32)> {
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
        let is_call_arg = matches!(prev(1), Some(Token::Punct('(')))
            && matches!(prev(2), Some(Token::Ident(name)) if ROUTE_CALLS.contains(&name.as_str()))
            && matches!(prev(3), Some(Token::Punct('.')) | Some(Token::Punct('@')));
        let is_keyed = matches!(prev(1), Some(Token::Punct(':')))
            && matches!(prev(2), Some(Token::Ident(name)) if ROUTE_KEYS.contains(&name.as_str()));
        if is_call_arg || is_keyed {
            out.push((value.clone(), tok.line));
        }
    }
    out
}

/// Every `key: "value"` in the file, in order: (key, value, line).
pub fn string_properties(tokens: &[Spanned]) -> Vec<(String, String, u32)> {
    tokens
        .windows(3)
        .filter_map(|w| match (&w[0].token, &w[1].token, &w[2].token) {
            (Token::Ident(k) | Token::Str(k), Token::Punct(':'), Token::Str(v)) => {
                Some((k.clone(), v.clone(), w[2].line))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
        let tokens = tokenize(src);
        let routes = route_paths(&tokens);
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
        let tokens =
            tokenize("module.exports = {\n  // output: 'standalone',\n  output: 'export' }");
        assert_eq!(
            string_properties(&tokens),
            [("output".to_string(), "export".to_string(), 3)]
        );
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for src in ["`abc ${", "'abc", "/* x", "/[", "`${`${`", "a / b"] {
            let _ = tokenize(src);
        }
    }
}
