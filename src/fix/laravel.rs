//! Health probes for Laravel apps: a controller that answers liveness
//! without touching a back-end and readiness with `select 1` on the default
//! database connection (and a Redis PING when the cache, sessions, queue or
//! broadcasting use Redis), registered at the top of the routes file,
//! outside every group, without the file's middleware group (session,
//! cookies, CSRF: a session store that is down must not fail liveness).
//! Laravel 11's `health:` route in bootstrap/app.php already answers
//! liveness: then only readiness is added.

use serde_json::Value;

use super::profile::{Profile, Version};
use super::Builder;

pub const LIVE_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";

/// The quoted strings of a PHP snippet ('web', "auth").
fn strings(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '\'' && c != '"' {
            continue;
        }
        let mut s = String::new();
        let mut escaped = false;
        for (_, d) in chars.by_ref() {
            if escaped {
                s.push(d);
                escaped = false;
            } else if d == '\\' {
                escaped = true;
            } else if d == c {
                break;
            } else {
                s.push(d);
            }
        }
        out.push(s);
    }
    out
}

/// The arguments of the first `name(` call in `text`, up to its closing
/// parenthesis.
fn call_args<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let start = text.find(&format!("{name}("))? + name.len() + 1;
    let mut depth = 1;
    for (i, c) in text[start..].char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[start..start + i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// The named argument `name:` of Laravel 11's `withRouting(...)`.
fn named_arg(args: &str, name: &str) -> Option<String> {
    let at = args.find(&format!("{name}:"))?;
    let rest = &args[at + name.len() + 1..];
    let value = rest.split(',').next()?.trim();
    strings(value).into_iter().next()
}

/// How the app loads a routes file: the middleware of its group and its
/// URL prefix.
struct Group {
    middleware: Vec<String>,
    prefix: String,
}

/// The group a routes file (`web` or `api`) is loaded in: Laravel 11's
/// `withRouting` in bootstrap/app.php, else the RouteServiceProvider's
/// `Route::middleware('web')->group(base_path('routes/web.php'))`, else
/// Laravel's defaults.
fn group_of(p: &Profile, b: &Builder, file: &str) -> Group {
    let default = Group {
        middleware: vec![file.to_string()],
        prefix: if file == "api" {
            "api".to_string()
        } else {
            String::new()
        },
    };
    if let Some(routing) = b
        .read(&p.join("bootstrap/app.php"))
        .as_deref()
        .and_then(|t| call_args(t, "withRouting").map(str::to_string))
    {
        let prefix = if file == "api" {
            named_arg(&routing, "apiPrefix").unwrap_or_else(|| "api".to_string())
        } else {
            String::new()
        };
        return Group {
            middleware: vec![file.to_string()],
            prefix: prefix.trim_matches('/').to_string(),
        };
    }
    let Some(provider) = b.read(&p.join("app/Providers/RouteServiceProvider.php")) else {
        return default;
    };
    let needle = format!("routes/{file}.php");
    let Some(at) = provider.find(&needle) else {
        return default;
    };
    // The statement that loads the file: from the previous `;`, `{` or `}`.
    let start = provider[..at]
        .rfind([';', '{', '}'])
        .map(|i| i + 1)
        .unwrap_or(0);
    let statement = &provider[start..at];
    let middleware: Vec<String> = call_args(statement, "middleware")
        .map(strings)
        .unwrap_or_default();
    let prefix = call_args(statement, "prefix")
        .map(strings)
        .and_then(|s| s.into_iter().next())
        .unwrap_or_default();
    Group {
        middleware,
        prefix: prefix.trim_matches('/').to_string(),
    }
}

/// The namespace composer maps to `app/` (`App`), and the version of
/// laravel/framework the manifest asks for.
fn composer(p: &Profile, b: &Builder) -> (String, Option<Version>) {
    let json: Option<Value> = b
        .read(&p.join("composer.json"))
        .and_then(|t| serde_json::from_str(&t).ok());
    let namespace = json
        .as_ref()
        .and_then(|j| j.get("autoload")?.get("psr-4")?.as_object().cloned())
        .and_then(|map| {
            map.iter().find_map(|(ns, dir)| {
                let dir = dir.as_str()?.trim_start_matches("./");
                (dir == "app/" || dir == "app").then(|| ns.trim_end_matches('\\').to_string())
            })
        })
        .unwrap_or_else(|| "App".to_string());
    let version = json
        .as_ref()
        .and_then(|j| j.get("require")?.get("laravel/framework")?.as_str())
        .and_then(|range| {
            // `^10.10`, `^9.0|^10.0`: the lowest major it allows.
            range
                .split('|')
                .filter_map(|r| Version::from_range(r.trim()))
                .min()
        });
    (namespace, version)
}

/// Where the routes go: after the `use` lines at the top of the file (or
/// the `<?php` line), before any group or catch-all route.
fn insertion_line(lines: &[&str]) -> Option<usize> {
    let open = lines
        .iter()
        .position(|l| l.trim_start().starts_with("<?php"))?;
    let mut at = open + 1;
    for (i, line) in lines.iter().enumerate().skip(open + 1) {
        let t = line.trim();
        if t.starts_with("use ") && t.ends_with(';') {
            at = i + 1;
        } else if t.is_empty()
            || t.starts_with("//")
            || t.starts_with("/*")
            || t.starts_with('*')
            || t.starts_with("declare(")
        {
            continue;
        } else {
            break;
        }
    }
    Some(at)
}

fn php_array(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Plans the controller and its routes; returns the liveness and readiness
/// paths the app then answers.
pub fn plan_health(p: &Profile, b: &mut Builder) -> Result<(String, String), String> {
    let (namespace, version) = composer(p, b);
    if let Some(v) = version.filter(|v| v.major < 7) {
        return Err(format!(
            "Laravel {v}: the generated routes need `withoutMiddleware` (Laravel 7 and later)"
        ));
    }
    let (file, routes_rel) = ["web", "api"]
        .iter()
        .map(|f| (f.to_string(), p.join(&format!("routes/{f}.php"))))
        .find(|(_, rel)| b.exists(rel))
        .ok_or("no routes/web.php or routes/api.php to register the health routes in")?;
    let routes = b
        .read(&routes_rel)
        .ok_or("the routes file cannot be read")?;
    let group = group_of(p, b, &file);
    let prefix = if group.prefix.is_empty() {
        String::new()
    } else {
        format!("/{}", group.prefix)
    };
    // Laravel 11's `health: '/up'` route answers liveness and checks no
    // back-end (it sits outside the web group).
    let existing_live = b
        .read(&p.join("bootstrap/app.php"))
        .as_deref()
        .and_then(|t| call_args(t, "withRouting").map(str::to_string))
        .and_then(|args| named_arg(&args, "health"))
        .map(|path| format!("/{}", path.trim_start_matches('/')));
    let live = existing_live
        .clone()
        .unwrap_or_else(|| format!("{prefix}{LIVE_PATH}"));
    let ready = format!("{prefix}{READY_PATH}");
    let class = format!("\\{namespace}\\Http\\Controllers\\HealthController");
    if routes.contains(&format!("{class}::class, 'ready'")) {
        return Ok((live, ready));
    }
    let controller_rel = p.join("app/Http/Controllers/HealthController.php");
    let conflicts = b.conflicts.len();
    b.create(
        &controller_rel,
        controller(&namespace, &live, &ready),
        false,
    );
    if b.conflicts.len() > conflicts {
        return Ok((live, ready));
    }
    let lines: Vec<&str> = routes.split_inclusive('\n').collect();
    let at = insertion_line(&lines).ok_or("the routes file has no `<?php` line")?;
    let without = if group.middleware.is_empty() {
        String::new()
    } else {
        format!("->withoutMiddleware({})", php_array(&group.middleware))
    };
    let group_words = if group.middleware.is_empty() {
        "the file's group".to_string()
    } else {
        format!("the {} middleware", group.middleware.join(", "))
    };
    let mut added = format!(
        "\n// Liveness and readiness probes (seaworthy fix): before the app's groups and\n// catch-all routes, outside any authentication group, and without {group_words}\n// (no session, cookies or CSRF: a session store that is down must not fail them).\n"
    );
    if existing_live.is_none() {
        added.push_str(&format!(
            "\\Illuminate\\Support\\Facades\\Route::get('{LIVE_PATH}', [{class}::class, 'live']){without};\n"
        ));
    }
    added.push_str(&format!(
        "\\Illuminate\\Support\\Facades\\Route::get('{READY_PATH}', [{class}::class, 'ready']){without};\n"
    ));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if at > 0 && !out[at - 1].ends_with('\n') {
        out[at - 1].push('\n');
    }
    out.insert(at.min(out.len()), added);
    b.modify(&routes_rel, out.concat());
    b.assume(format!(
        "Liveness at GET {live} and readiness at GET {ready}, answered by {class}: readiness runs `select 1` on the default connection of config/database.php and pings the Redis connections the cache, sessions, queue or broadcasting use, each with a 2 s connect timeout (and a statement timeout on PostgreSQL and MySQL)."
    ));
    if existing_live.is_some() {
        b.assume(format!(
            "The app's own `health:` route at {live} (bootstrap/app.php) stays the liveness probe; only readiness is added."
        ));
    }
    Ok((live, ready))
}

fn controller(namespace: &str, live: &str, ready: &str) -> String {
    include_str!("templates/laravel_health_controller.php")
        .replace("{{NAMESPACE}}", &format!("{namespace}\\Http\\Controllers"))
        .replace("{{LIVE}}", live)
        .replace("{{READY}}", ready)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_calls() {
        let text = "Route::middleware(['web', \"auth\"])->prefix('admin')->group(base_path('routes/web.php'));";
        assert_eq!(
            call_args(text, "middleware").map(strings),
            Some(vec!["web".to_string(), "auth".to_string()])
        );
        assert_eq!(call_args(text, "prefix"), Some("'admin'"));
    }

    #[test]
    fn laravel_11_named_arguments() {
        let args = "\n        web: __DIR__.'/../routes/web.php',\n        health: '/up',\n    ";
        assert_eq!(named_arg(args, "health"), Some("/up".to_string()));
        assert_eq!(named_arg(args, "apiPrefix"), None);
    }

    #[test]
    fn routes_go_after_the_use_lines() {
        let lines = [
            "<?php\n",
            "\n",
            "use A;\n",
            "use B;\n",
            "\n",
            "Route::get('/', X::class);\n",
        ];
        assert_eq!(insertion_line(&lines), Some(4));
        let lines = ["<?php\n", "Route::get('/', X::class);\n"];
        assert_eq!(insertion_line(&lines), Some(1));
    }
}
