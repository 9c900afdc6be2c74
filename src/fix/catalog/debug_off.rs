//! debug-enabled-in-production: the cited setting turns debug off unless
//! the environment turns it on, on that line only:
//!
//! - Django `DEBUG = True` → `DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"`
//!   (with `import os` when the settings lack it);
//! - a true default read from the environment (`env.bool("DEBUG",
//!   default=True)`, `os.getenv("DEBUG", "True")`, `config("DEBUG",
//!   default=True, cast=bool)`) → the false default;
//! - `app.run(…, debug=True)` → `debug=False`;
//! - Rails `consider_all_requests_local = true` → `false`;
//! - an env file's `APP_DEBUG=true` / `DEBUG=1` → `false` / `0`.
//!
//! Unsafe: error pages stop showing details, and Django with `DEBUG` off
//! answers 400 to every request until `ALLOWED_HOSTS` lists the site's
//! host names, and no longer serves static files itself.

use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{LineEdits, Text};
use super::{cited_line_now, cited_text};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "settings file")?;
    let line = cited_line_now(b, finding, &path, &text)?;
    let (after, django) = fix_text(&path, &text, line)?;
    b.modify(&path, after);
    if django {
        b.manual("Set ALLOWED_HOSTS to the site's host names and serve static files with WhiteNoise or the web server: with DEBUG off Django does neither for you. Set DJANGO_DEBUG=1 only on development machines.");
    } else {
        b.manual("Turn debug on only in development, through the environment.");
    }
    Ok(())
}

/// The file with the setting on `line` turned off; whether it was Django's
/// `DEBUG = True`.
pub fn fix_text(path: &str, text: &str, line: u32) -> Result<(String, bool), String> {
    let lines = Text::new(text);
    let old = lines
        .line(line)
        .ok_or("the cited line is not there any more")?;
    let mut edits = LineEdits::default();
    let trimmed = old.trim_start();
    let pad = &old[..old.len() - trimmed.len()];
    let name = path.rsplit('/').next().unwrap_or(path);
    // An env file: NAME=value.
    if name.starts_with(".env") || name.ends_with(".env") {
        let (key, value) = trimmed
            .split_once('=')
            .ok_or("the cited line is not a variable assignment")?;
        let off = match value
            .trim()
            .trim_matches(['"', '\''])
            .to_ascii_lowercase()
            .as_str()
        {
            "true" | "on" | "yes" => "false",
            "1" => "0",
            _ => return Err(format!("`{trimmed}` is not a true value any more")),
        };
        edits.replace(line, vec![format!("{pad}{key}={off}")]);
        return Ok((edits.apply(text), false));
    }
    if let Some(rest) = trimmed.strip_prefix("DEBUG") {
        let rest = rest.trim_start();
        if let Some(value) = rest.strip_prefix('=') {
            let (value, comment) = match value.find('#') {
                Some(at) => (&value[..at], &value[at..]),
                None => (value, ""),
            };
            if value.trim() == "True" && path.ends_with(".py") {
                let comment = if comment.is_empty() {
                    String::new()
                } else {
                    format!("  {comment}")
                };
                edits.replace(
                    line,
                    vec![format!(
                        "{pad}DEBUG = os.environ.get(\"DJANGO_DEBUG\", \"\") == \"1\"{comment}"
                    )],
                );
                if !has_os_import(text) {
                    let first_import = (1..=lines.len())
                        .find(|n| {
                            lines.line(*n).is_some_and(|l| {
                                (l.starts_with("import ") || l.starts_with("from "))
                                    && !l.contains("__future__")
                            })
                        })
                        .ok_or(
                            "the settings import nothing: add `import os` and the setting by hand",
                        )?;
                    let first = lines.line(first_import).unwrap_or_default().to_string();
                    if first_import == line {
                        return Err("unexpected layout: change the setting by hand".to_string());
                    }
                    edits.replace(first_import, vec!["import os".to_string(), first]);
                }
                return Ok((edits.apply(text), true));
            }
        }
    }
    let new = turn_off(old).ok_or_else(|| {
        format!(
            "line {line} (`{}`) is not a form this fix knows: turn debug off by hand",
            old.trim()
        )
    })?;
    edits.replace(line, vec![new]);
    Ok((edits.apply(text), path.ends_with(".py")))
}

fn has_os_import(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        t == "import os" || t.starts_with("import os,") || t.starts_with("import os ")
    })
}

/// `debug=True`, `default=True`, `"DEBUG", "True"`, `= true` → off.
fn turn_off(line: &str) -> Option<String> {
    for (from, to) in [
        ("debug=True", "debug=False"),
        ("debug = True", "debug = False"),
        ("default=True", "default=False"),
        ("default = True", "default = False"),
        (
            "consider_all_requests_local = true",
            "consider_all_requests_local = false",
        ),
        (
            "consider_all_requests_local=true",
            "consider_all_requests_local=false",
        ),
    ] {
        if line.contains(from) {
            return Some(line.replacen(from, to, 1));
        }
    }
    // `os.getenv("DEBUG", "True")`: the second argument of the read.
    for quote in ['"', '\''] {
        for (value, off) in [
            ("True", "False"),
            ("true", "false"),
            ("1", "0"),
            ("yes", "no"),
            ("on", "off"),
        ] {
            let pattern = format!(", {quote}{value}{quote})");
            if let Some(at) = line.find(&pattern) {
                let mut out = line.to_string();
                out.replace_range(at..at + pattern.len(), &format!(", {quote}{off}{quote})"));
                return Some(out);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_debug_reads_the_environment() {
        let settings = "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent\nDEBUG = True  # for now\n";
        let (out, django) = fix_text("mysite/settings.py", settings, 4).expect("fixed");
        assert!(django);
        assert_eq!(out, "import os\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent\nDEBUG = os.environ.get(\"DJANGO_DEBUG\", \"\") == \"1\"  # for now\n");
        assert!(
            fix_text("mysite/settings.py", &out, 5).is_err(),
            "a second time"
        );
    }

    #[test]
    fn other_forms_are_turned_off() {
        let (out, _) =
            fix_text(".env.production", "APP_ENV=production\nAPP_DEBUG=true\n", 2).expect("env");
        assert_eq!(out, "APP_ENV=production\nAPP_DEBUG=false\n");
        let (out, _) = fix_text(
            "app.py",
            "if __name__ == \"__main__\":\n    app.run(host=\"0.0.0.0\", debug=True)\n",
            2,
        )
        .expect("flask");
        assert!(out.contains("debug=False)"), "{out}");
        let (out, _) = fix_text(
            "s.py",
            "import os\nDEBUG = os.getenv(\"DEBUG\", \"True\") == \"True\"\n",
            2,
        )
        .expect("getenv");
        assert!(
            out.contains("os.getenv(\"DEBUG\", \"False\") == \"True\""),
            "{out}"
        );
        let (out, _) = fix_text(
            "config/environments/production.rb",
            "  config.consider_all_requests_local = true\n",
            1,
        )
        .expect("rails");
        assert_eq!(out, "  config.consider_all_requests_local = false\n");
    }
}
