//! Prisma schema files: the `datasource` and `generator` blocks.
//!
//! Prisma's schema language has no Rust parser on crates.io, so this is a
//! small tokenizer for its block grammar: `keyword name { key = value }`,
//! with `//` comments, strings and function calls such as `env("URL")`.
//! Comments are never settings.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: SettingValue,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingValue {
    String(String),
    /// `env("NAME")`
    Env(String),
    Other(String),
}

impl SettingValue {
    pub fn as_literal(&self) -> Option<&str> {
        match self {
            SettingValue::String(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Datasource {
    pub name: String,
    pub line: u32,
    pub provider: Option<Setting>,
    pub url: Option<Setting>,
}

#[derive(Debug, Clone, Default)]
pub struct Generator {
    pub name: String,
    pub preview_features: Vec<String>,
}

#[derive(Debug, Default)]
pub struct PrismaSchema {
    pub datasources: Vec<Datasource>,
    pub generators: Vec<Generator>,
    /// The foreign keys the models' `@relation(fields: […])` declare.
    pub foreign_keys: Vec<ForeignKey>,
}

/// A relation field that holds the foreign key: `@relation(fields: [a])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub model: String,
    pub fields: Vec<String>,
    /// `map: "…"` names the constraint; without it Prisma names it
    /// `<Model>_<fields>_fkey`.
    pub named: bool,
    pub line: u32,
}

/// The `@relation(…)` attributes of a model body.
fn foreign_keys(model: &str, body: &[Tok]) -> Vec<ForeignKey> {
    let mut out = Vec::new();
    for (i, tok) in body.iter().enumerate() {
        let Tok::Word(w, line) = tok else { continue };
        if w != "@relation" || !matches!(body.get(i + 1), Some(Tok::Punct('(', _))) {
            continue;
        }
        let mut depth = 0usize;
        let close = (i + 1..body.len())
            .find(|&j| match body[j] {
                Tok::Punct('(', _) => {
                    depth += 1;
                    false
                }
                Tok::Punct(')', _) => {
                    depth -= 1;
                    depth == 0
                }
                _ => false,
            })
            .unwrap_or(body.len());
        let args = &body[i + 2..close];
        let key = |name: &str| {
            args.windows(2).position(|w| {
                matches!(&w[0], Tok::Word(k, _) if k == name) && matches!(w[1], Tok::Punct(':', _))
            })
        };
        let Some(at) = key("fields") else { continue };
        let fields: Vec<String> = args[at + 2..]
            .iter()
            .skip_while(|t| matches!(t, Tok::Punct('[', _)))
            .take_while(|t| !matches!(t, Tok::Punct(']', _)))
            .filter_map(|t| match t {
                Tok::Word(f, _) => Some(f.clone()),
                _ => None,
            })
            .collect();
        if !fields.is_empty() {
            out.push(ForeignKey {
                model: model.to_string(),
                fields,
                named: key("map").is_some(),
                line: *line,
            });
        }
    }
    out
}

impl PrismaSchema {
    pub fn parse(text: &str) -> Result<PrismaSchema, String> {
        let tokens = tokenize(text)?;
        let mut schema = PrismaSchema::default();
        let mut i = 0;
        while i < tokens.len() {
            // A block: keyword, name, `{`.
            if let (
                Some(Tok::Word(keyword, line)),
                Some(Tok::Word(name, _)),
                Some(Tok::Punct('{', _)),
            ) = (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
            {
                let end = matching_brace(&tokens, i + 2).ok_or_else(|| {
                    format!("line {line}: block `{keyword} {name}` is not closed")
                })?;
                let settings = block_settings(&tokens[i + 3..end]);
                match keyword.as_str() {
                    "datasource" => schema.datasources.push(Datasource {
                        name: name.clone(),
                        line: *line,
                        provider: settings
                            .iter()
                            .find(|(k, _)| k == "provider")
                            .map(|(_, s)| s.clone()),
                        url: settings
                            .iter()
                            .find(|(k, _)| k == "url")
                            .map(|(_, s)| s.clone()),
                    }),
                    "generator" => schema.generators.push(Generator {
                        name: name.clone(),
                        preview_features: settings
                            .iter()
                            .find(|(k, _)| k == "previewFeatures")
                            .map(|(_, s)| match &s.value {
                                SettingValue::Other(list) => list
                                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                                    .filter(|w| !w.is_empty())
                                    .map(str::to_string)
                                    .collect(),
                                _ => Vec::new(),
                            })
                            .unwrap_or_default(),
                    }),
                    "model" => schema
                        .foreign_keys
                        .extend(foreign_keys(name, &tokens[i + 3..end])),
                    _ => {}
                }
                i = end + 1;
            } else {
                i += 1;
            }
        }
        Ok(schema)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String, u32),
    Str(String, u32),
    Punct(char, u32),
}

impl Tok {
    fn line(&self) -> u32 {
        match self {
            Tok::Word(_, l) | Tok::Str(_, l) | Tok::Punct(_, l) => *l,
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut line = 1u32;
    while let Some((_, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '/' if chars.peek().map(|(_, n)| *n) == Some('/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '"' => {
                let start_line = line;
                let mut value = String::new();
                let mut closed = false;
                while let Some((_, n)) = chars.next() {
                    match n {
                        '\\' => match chars.next() {
                            // A string never spans lines, escaped or not.
                            Some((_, '\n')) | None => {
                                return Err(format!("line {start_line}: unterminated string"))
                            }
                            Some((_, esc)) => value.push(esc),
                        },
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\n' => return Err(format!("line {start_line}: unterminated string")),
                        other => value.push(other),
                    }
                }
                if !closed {
                    return Err(format!("line {start_line}: unterminated string"));
                }
                tokens.push(Tok::Str(value, start_line));
            }
            c if c.is_alphanumeric() || c == '_' || c == '@' => {
                let mut word = String::from(c);
                while let Some((_, n)) = chars.peek() {
                    if n.is_alphanumeric() || *n == '_' || *n == '@' || *n == '.' {
                        word.push(*n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Tok::Word(word, line));
            }
            other => tokens.push(Tok::Punct(other, line)),
        }
    }
    Ok(tokens)
}

fn matching_brace(tokens: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in tokens.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct('{', _) => depth += 1,
            Tok::Punct('}', _) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `key = value` pairs of a block body. A value runs to the end of its line.
fn block_settings(body: &[Tok]) -> Vec<(String, Setting)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if let (Tok::Word(key, line), Some(Tok::Punct('=', _))) = (&body[i], body.get(i + 1)) {
            let value_tokens: Vec<&Tok> = body[i + 2..]
                .iter()
                .take_while(|t| t.line() == *line)
                .collect();
            let value = match value_tokens.as_slice() {
                [Tok::Str(s, _)] => SettingValue::String(s.clone()),
                [Tok::Word(f, _), Tok::Punct('(', _), Tok::Str(name, _), Tok::Punct(')', _)]
                    if f == "env" =>
                {
                    SettingValue::Env(name.clone())
                }
                other => SettingValue::Other(
                    other
                        .iter()
                        .map(|t| match t {
                            Tok::Word(w, _) | Tok::Str(w, _) => w.clone(),
                            Tok::Punct(p, _) => p.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            };
            out.push((key.clone(), Setting { value, line: *line }));
            i += 2 + value_tokens.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_provider_and_ignores_comments() {
        let schema = PrismaSchema::parse(
            r#"
// provider = "postgresql"
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["driverAdapters"]
}

datasource db {
  // provider = "postgresql"
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
}
"#,
        )
        .expect("valid");
        let ds = &schema.datasources[0];
        assert_eq!(ds.name, "db");
        let provider = ds.provider.as_ref().expect("provider");
        assert_eq!(provider.value, SettingValue::String("sqlite".into()));
        assert_eq!(provider.line, 10);
        assert_eq!(
            ds.url.as_ref().map(|u| u.value.clone()),
            Some(SettingValue::Env("DATABASE_URL".into()))
        );
        assert_eq!(schema.generators[0].preview_features, ["driverAdapters"]);
    }

    #[test]
    fn unterminated_block_is_an_error() {
        assert!(PrismaSchema::parse("datasource db {\n provider = \"sqlite\"\n").is_err());
        assert!(PrismaSchema::parse("datasource db {\n provider = \"sqlite\n}").is_err());
        // Found by fuzzing: an escaped newline must not hide a line break.
        assert!(PrismaSchema::parse(
            "datasource db {\n x = env(\"\\\n\")\n url = env(\"DATABASE_URL\")\n}"
        )
        .is_err());
    }
}
