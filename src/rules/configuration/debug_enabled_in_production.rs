//! debug-enabled-in-production: the settings production runs with turn
//! debug mode on.

use crate::facts::config_code::{DebugKind, DebugSetting};
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::{code, AppContext, Check, Rule, RuleMeta};
use crate::stack::{Ecosystem, Framework};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "debug-enabled-in-production",
        code: "SW704",
        severity: Severity::High,
        category: Category::Configuration,
        title: "Debug mode in production",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::App(check),
};

const DOCS: &str = r#"## What it does
Reports debug mode in the configuration production runs with:
- Django: `DEBUG = True` in the settings production uses — `settings.py`,
  or `settings/production.py`, or the shared `base.py`/`common.py` when no
  production settings file exists beside it — with no other assignment of
  `DEBUG` and no `from … import *` after it; and `DEBUG` read from the
  environment with a true default (`env.bool("DEBUG", default=True)`,
  `os.environ.get("DEBUG", "True") == "True"`), which turns debug on wherever
  the variable is forgotten. Development, local and test settings are not read;
- Flask, FastAPI/uvicorn: `app.run(debug=True)` or `uvicorn.run(…, reload=True)`
  at module level, outside `if __name__ == "__main__":` (it runs whenever the
  module is loaded), or anywhere in a file the app's Dockerfile starts with
  `python` (the development server is the production server). A call inside
  a function (a `develop` command) or under the main guard of a file that
  production does not run is the development server and is not reported;
  so is a module-level call bound to the loopback interface
  (`host="127.0.0.1"`) in a file no Dockerfile starts: a developer's local
  server script (`python serve.py`);
- Rails: `config.consider_all_requests_local = true` in
  `config/environments/production.rb`;
- Laravel and others: `APP_DEBUG=true` (or `DEBUG`, `FLASK_DEBUG`,
  `DJANGO_DEBUG` true) in a production env file (`.env.production`,
  `.env.prod`, also their examples), or in any env file that sets
  `APP_ENV=production`.

## Why is this bad?
Debug pages show stack traces, settings, environment variables and SQL to
anyone who triggers an error; Werkzeug's debugger even runs arbitrary Python
from the browser. Debug mode also keeps extra state in memory and disables
production safeguards.

## Example
### Reported
```python file=shop/settings.py
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = True
ALLOWED_HOSTS = ["shop.example.com"]
```

```text file=requirements.txt
Django==5.1.3
```

```python file=manage.py
import sys
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
```

### Not reported
```python file=shop/settings.py
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = os.environ.get("DJANGO_DEBUG", "false").lower() == "true"
ALLOWED_HOSTS = ["shop.example.com"]
```

```text file=requirements.txt
Django==5.1.3
```

```python file=manage.py
import sys
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
```

## Fix
Read debug mode from the environment with a false default
(`DEBUG = env.bool("DJANGO_DEBUG", default=False)`), keep `DEBUG = True` in
development settings only, start Python apps with a production server
(gunicorn, uvicorn without `--reload`) rather than `app.run()`, set
`consider_all_requests_local = false` in production.rb and `APP_DEBUG=false`
in production.

`seaworthy fix --unsafe` turns the cited setting off unless the
environment turns it on: Django's `DEBUG = True` becomes
`DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"`, a true default read
from the environment becomes false, `debug=True` becomes `debug=False`, and
an env file's `APP_DEBUG=true` becomes `false`. It is unsafe because Django
with `DEBUG` off answers 400 until `ALLOWED_HOSTS` is set.
"#;

/// Settings files for development, tests and CI.
fn is_dev_settings(name: &str) -> bool {
    let stem = name.trim_end_matches(".py").to_ascii_lowercase();
    stem.split(['_', '-', '.']).any(|w| {
        matches!(
            w,
            "dev"
                | "development"
                | "local"
                | "test"
                | "tests"
                | "testing"
                | "ci"
                | "e2e"
                | "debug"
                | "example"
                | "sample"
        )
    })
}

fn is_settings_file(rel: &str) -> bool {
    let mut parts = rel.rsplit('/');
    let name = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    name.ends_with(".py")
        && (name == "settings.py"
            || parent == "settings"
            || (name.starts_with("settings") && !name.starts_with("settings_local")))
}

const PRODUCTION_NAMES: &[&str] = &[
    "production.py",
    "prod.py",
    "settings_production.py",
    "settings_prod.py",
    "staging.py",
];

fn check(cx: &AppContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    let facts = cx.repo.facts;
    let index = cx.repo.index;
    match cx.app.ecosystem {
        Ecosystem::Python => {
            let files: Vec<FileId> = cx
                .files_of_kind(FileKind::Source(crate::facts::code::Lang::Python))
                .collect();
            for id in &files {
                let rel = cx.repo.rel(*id);
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let Some(file) = facts.code_mentioning(*id, &["DEBUG", "debug", "reload"]) else {
                    continue;
                };
                if is_settings_file(rel) && !is_dev_settings(name) {
                    if let Some(f) = django_debug(cx, *id, rel, name, &file.debug_settings, &files)
                    {
                        findings.push(f);
                    }
                }
                for setting in &file.debug_settings {
                    let DebugKind::RunFlag {
                        flag,
                        receiver,
                        in_main_guard,
                        top_level,
                    } = &setting.kind
                    else {
                        continue;
                    };
                    if matches!(
                        receiver.as_str(),
                        "asyncio" | "subprocess" | "trio" | "anyio" | "loop" | "runner"
                    ) || is_dev_settings(name)
                    {
                        continue;
                    }
                    let started_by_docker = dockerfile_runs(cx, name);
                    // Inside `if __name__ == "__main__":` or a function (a
                    // `develop` command) it runs only when asked for.
                    let module_level = *top_level && !*in_main_guard;
                    if !module_level && !started_by_docker {
                        continue;
                    }
                    // A module-level `app.run(debug=True, host="127.0.0.1")`
                    // that no Dockerfile starts is a developer's local
                    // server script (`python serve.py`): it listens only on
                    // the machine it runs on, and production starts the app
                    // with something else.
                    if !started_by_docker && binds_loopback(facts, *id, setting.line) {
                        continue;
                    }
                    let why = if !module_level {
                        format!("the app's Dockerfile starts {} with `python`, so this development server is the production server", code(name))
                    } else {
                        "the call is outside `if __name__ == \"__main__\":`, so it runs whenever the module is loaded".to_string()
                    };
                    findings.push(RULE.meta.finding(
                        Some(cx.app),
                        format!(
                            "{}:{} calls `{}.run(…, {flag}=True)`: {why}.",
                            rel, setting.line, receiver
                        ),
                        if flag == "debug" {
                            "Werkzeug's interactive debugger lets anyone who triggers an error run Python on the server, and error pages show code and settings.".to_string()
                        } else {
                            "The auto-reloader watches the file system and restarts the process on change — a development tool that doubles memory and restarts production at random.".to_string()
                        },
                        "Start the app with a production server (`gunicorn app:app`, `uvicorn main:app --workers 4`, without `--reload`) and read debug flags from the environment with a false default.".to_string(),
                        vec![Location::new(rel, setting.line)],
                    ));
                }
            }
        }
        Ecosystem::Ruby if cx.app.frameworks.contains(&Framework::Rails) => {
            let production = cx.app.join("config/environments/production.rb");
            if let Some(id) = index.find(&production) {
                if let Some(file) = facts.code(id) {
                    if let Some(s) = file
                        .debug_settings
                        .iter()
                        .find(|s| s.kind == DebugKind::ConsiderAllRequestsLocal)
                    {
                        findings.push(RULE.meta.finding(
                            Some(cx.app),
                            format!("{production}:{} sets `config.consider_all_requests_local = true`.", s.line),
                            "Every visitor who triggers an error sees the full debug page: stack trace, source, request parameters and environment.".to_string(),
                            format!("Set `config.consider_all_requests_local = false` in {}.", code(&production)),
                            vec![Location::new(production.clone(), s.line)],
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    findings.extend(env_file_debug(cx));
    findings
}

fn django_debug(
    cx: &AppContext,
    id: FileId,
    rel: &str,
    name: &str,
    settings: &[DebugSetting],
    python_files: &[FileId],
) -> Option<Finding> {
    let assignments: Vec<&DebugSetting> = settings
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                DebugKind::DebugTrue | DebugKind::DebugFallbackTrue | DebugKind::DebugOther
            )
        })
        .collect();
    let [only] = assignments.as_slice() else {
        return None;
    };
    if only.kind == DebugKind::DebugOther {
        return None;
    }
    if settings
        .iter()
        .any(|s| s.kind == DebugKind::StarImport && s.line > only.line)
    {
        return None;
    }
    // In a settings package, shared settings are overridden by the
    // production module when there is one.
    let dir = cx.repo.index.get(id).dir();
    let production_file = PRODUCTION_NAMES.contains(&name);
    if !production_file && name != "settings.py" {
        let has_production_sibling = python_files.iter().any(|other| {
            let f = cx.repo.index.get(*other);
            f.dir() == dir && PRODUCTION_NAMES.contains(&f.name())
        });
        let overridden_elsewhere = python_files.iter().any(|other| {
            *other != id && {
                let f = cx.repo.index.get(*other);
                f.dir() == dir
                    && !is_dev_settings(f.name())
                    && cx.repo.facts.code(*other).is_some_and(|c| {
                        c.debug_settings
                            .iter()
                            .any(|s| matches!(s.kind, DebugKind::DebugOther))
                    })
            }
        });
        if has_production_sibling || overridden_elsewhere {
            return None;
        }
    }
    let (what, impact_extra) = match only.kind {
        DebugKind::DebugTrue => ("sets `DEBUG = True`", ""),
        _ => (
            "reads `DEBUG` from the environment with a true default",
            " wherever the variable is not set",
        ),
    };
    Some(RULE.meta.finding(
        Some(cx.app),
        format!(
            "{rel}:{} {what}, and these are the settings production runs with{}.",
            only.line,
            if production_file { "" } else { " (no production settings override it)" }
        ),
        format!("Django serves its debug page{impact_extra} — stack traces, settings and SQL for anyone who triggers an error — and keeps every query in memory."),
        "Read it with a false default — `DEBUG = env.bool(\"DJANGO_DEBUG\", default=False)` or `os.environ.get(\"DJANGO_DEBUG\") == \"1\"` — and set it to true only in development settings.".to_string(),
        vec![Location::new(rel, only.line)],
    ))
}

/// Whether one of the app's Dockerfiles starts `file` with python.
/// Whether the call on `line` (and the line after, for a call broken over
/// two) binds the loopback interface (`host="127.0.0.1"`, `localhost`).
fn binds_loopback(facts: &crate::facts::Facts, id: FileId, line: u32) -> bool {
    let Some(text) = facts.raw_text(id) else {
        return false;
    };
    text.lines()
        .skip(line.saturating_sub(1) as usize)
        .take(2)
        .any(|l| {
            let l = l.replace(' ', "");
            [
                "host=\"127.0.0.1\"",
                "host='127.0.0.1'",
                "host=\"localhost\"",
                "host='localhost'",
            ]
            .iter()
            .any(|h| l.contains(h))
        })
}

fn dockerfile_runs(cx: &AppContext, file: &str) -> bool {
    let stem = file.trim_end_matches(".py");
    cx.files_of_kind(FileKind::Dockerfile).any(|id| {
        cx.repo.facts.dockerfile(id).is_some_and(|d| {
            d.final_stage().is_some_and(|stage| {
                stage
                    .instructions
                    .iter()
                    .filter(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
                    .any(|i| {
                        let words = i.words();
                        words.iter().any(|w| w.starts_with("python"))
                            && words
                                .iter()
                                .any(|w| w.rsplit('/').next() == Some(file) || w == stem)
                    })
            })
        })
    })
}

/// `APP_DEBUG=true` in an env file meant for production.
fn env_file_debug(cx: &AppContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for kind in [FileKind::EnvFile, FileKind::EnvExample] {
        for id in cx.files_of_kind(kind) {
            let rel = cx.repo.rel(id);
            let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
            let Some(env) = cx.repo.facts.env_file(id) else {
                continue;
            };
            let words: Vec<&str> = name.split(['.', '-', '_']).collect();
            let production_name = words.iter().any(|w| matches!(*w, "production" | "prod"));
            let says_production = env.vars.iter().any(|v| {
                matches!(
                    v.name.as_str(),
                    "APP_ENV"
                        | "NODE_ENV"
                        | "RAILS_ENV"
                        | "DJANGO_ENV"
                        | "FLASK_ENV"
                        | "ENVIRONMENT"
                ) && v.value.eq_ignore_ascii_case("production")
            });
            if !(production_name || (says_production && kind == FileKind::EnvFile)) {
                continue;
            }
            if let Some(v) = env.vars.iter().find(|v| {
                matches!(
                    v.name.as_str(),
                    "APP_DEBUG" | "DEBUG" | "FLASK_DEBUG" | "DJANGO_DEBUG"
                ) && matches!(
                    v.value.to_ascii_lowercase().as_str(),
                    "true" | "1" | "yes" | "on"
                )
            }) {
                out.push(RULE.meta.finding(
                    Some(cx.app),
                    format!("{rel}:{} sets `{}={}` in an environment file for production.", v.line, v.name, v.value),
                    "Error pages show stack traces, configuration and environment values (Laravel's Ignition page prints every variable, secrets included) to whoever triggers an error.".to_string(),
                    format!("Set `{}=false` for production.", v.name),
                    vec![Location::new(rel, v.line)],
                ));
            }
        }
    }
    out
}
