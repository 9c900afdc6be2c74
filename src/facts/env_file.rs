//! Environment files (`.env.example`, `.env.production`, …): `KEY=value` lines.
//!
//! The format has no grammar of its own; this follows what dotenv libraries
//! accept: `export` prefixes, `#` comments, single/double-quoted values and
//! inline comments after unquoted values.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct EnvFile {
    pub vars: Vec<EnvVar>,
    /// Variables that appear only commented out (`# SENTRY_DSN=`): an env
    /// example documents optional variables that way.
    pub commented: Vec<String>,
}

impl EnvFile {
    pub fn parse(text: &str) -> EnvFile {
        let mut vars = Vec::new();
        let mut commented = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(rest) = line.strip_prefix('#') {
                let rest = rest.trim_start_matches('#').trim();
                let rest = rest.strip_prefix("export ").unwrap_or(rest);
                if let Some((name, _)) = rest.split_once('=') {
                    let name = name.trim();
                    if !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        commented.push(name.to_string());
                    }
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let line = line
                .strip_prefix("export ")
                .map(str::trim_start)
                .unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            let name = name.trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            {
                continue;
            }
            vars.push(EnvVar {
                name: name.to_string(),
                value: unquote(value.trim()),
                line: i as u32 + 1,
            });
        }
        EnvFile { vars, commented }
    }

    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().find(|v| v.name == name)
    }
}

fn unquote(value: &str) -> String {
    for quote in ['"', '\'', '`'] {
        if let Some(rest) = value.strip_prefix(quote) {
            return match rest.find(quote) {
                Some(end) => rest[..end].to_string(),
                None => rest.to_string(),
            };
        }
    }
    // An unquoted value ends at an inline comment (` #`).
    match value.find(" #") {
        Some(end) => value[..end].trim_end().to_string(),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_shapes() {
        let env = EnvFile::parse(
            "# comment\nexport A=1\nB=\"two words\" # note\nC='x'\nD=plain # c\n\n# E=commented\nbroken line\n",
        );
        let names: Vec<_> = env
            .vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str(), v.line))
            .collect();
        assert_eq!(
            names,
            [
                ("A", "1", 2),
                ("B", "two words", 3),
                ("C", "x", 4),
                ("D", "plain", 5)
            ]
        );
    }
}
