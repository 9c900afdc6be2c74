//! Health probes for Rails apps: a controller that answers liveness without
//! touching a back-end and readiness with a `SELECT 1` on every database of
//! the environment (and a Redis PING when the app configures Redis), routed
//! first in config/routes.rb. The controller inherits from
//! ActionController::API, not ApplicationController, so the app's
//! authentication before_actions never run for a probe; the production
//! config's HTTPS redirect and host allow-list are told to let the probe
//! paths through (probes speak plain HTTP, by IP).

use super::profile::{Profile, Version};
use super::Builder;

pub const LIVE_PATH: &str = "/healthz";
pub const READY_PATH: &str = "/readyz";
const CONTROLLER: &str = "app/controllers/health_controller.rb";

/// The code of a Ruby line: what stands before a `#` comment outside
/// strings (enough for routes and config lines, which hold no heredocs).
fn code(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' => return &line[..i],
            None => {}
        }
    }
    line
}

/// The first quoted string of a line: `get "up" => …` → `up`.
fn first_string(line: &str) -> Option<&str> {
    let start = line.find(['"', '\''])?;
    let quote = line[start..].chars().next()?;
    let rest = &line[start + 1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// The Rails version the lockfile resolved (`railties (7.1.3)`).
fn rails_version(lock: &str) -> Option<Version> {
    lock.lines().find_map(|l| {
        let rest = l
            .strip_prefix("    railties (")
            .or_else(|| l.strip_prefix("    rails ("))?;
        Version::from_range(rest.trim_end_matches(')'))
    })
}

/// The `before_action`s of ApplicationController, by name: what the
/// probes would have run had the controller inherited from it.
fn before_actions(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let c = code(line).trim();
        let Some(rest) = c
            .strip_prefix("before_action ")
            .or_else(|| c.strip_prefix("before_action("))
        else {
            continue;
        };
        if let Some(name) = rest.trim_start().strip_prefix(':') {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '!' | '?'))
                .collect();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Plans the controller and its routes; returns the liveness and readiness
/// paths the app then answers.
pub fn plan_health(p: &Profile, b: &mut Builder) -> Result<(String, String), String> {
    let routes_rel = p.join("config/routes.rb");
    let routes = b
        .read(&routes_rel)
        .ok_or("no config/routes.rb: seaworthy adds health routes to the app's routes file")?;
    if let Some(version) = b
        .read(&p.join("Gemfile.lock"))
        .and_then(|l| rails_version(&l))
    {
        if version.major < 5 {
            return Err(format!(
                "Rails {version}: the generated controller needs ActionController::API (Rails 5 and later)"
            ));
        }
    }
    let lines: Vec<&str> = routes.split_inclusive('\n').collect();
    let draw = lines
        .iter()
        .position(|l| {
            let c = code(l).trim_end();
            c.contains("routes.draw") && (c.ends_with(" do") || c.contains(" do |") || c.ends_with('{'))
        })
        .ok_or("config/routes.rb has no `routes.draw do` block seaworthy can extend; add the health routes by hand")?;
    // Rails 7.1's `get "up" => "rails/health#show"` already answers
    // liveness (it checks no back-end): only readiness is added.
    let existing_live = lines
        .iter()
        .map(|l| code(l))
        .find(|c| c.contains("rails/health#show"))
        .and_then(first_string)
        .map(|path| format!("/{}", path.trim_start_matches('/')));
    let live = existing_live
        .clone()
        .unwrap_or_else(|| LIVE_PATH.to_string());
    if routes.contains("\"health#ready\"") {
        return Ok((live, READY_PATH.to_string()));
    }
    let controller_rel = p.join(CONTROLLER);
    if let Some(other) = p.sources.iter().find(|s| {
        **s != controller_rel
            && s.ends_with(".rb")
            && b.read(s).is_some_and(|t| {
                t.lines()
                    .any(|l| code(l).trim_start().starts_with("class HealthController"))
            })
    }) {
        return Err(format!(
            "{other} already defines a HealthController: add the readiness route to it by hand"
        ));
    }
    let conflicts = b.conflicts.len();
    b.create(&controller_rel, controller(), false);
    if b.conflicts.len() > conflicts {
        return Ok((live, READY_PATH.to_string()));
    }
    let indent: String = lines[draw + 1..]
        .iter()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with("end"))
        .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
        .filter(|s: &String| !s.is_empty())
        .unwrap_or_else(|| {
            let base: String = lines[draw]
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            format!("{base}  ")
        });
    let mut added = format!(
        "{indent}# Liveness and readiness probes (seaworthy fix), first so that no catch-all\n{indent}# route answers them; HealthController runs none of ApplicationController's\n{indent}# before_actions.\n"
    );
    if existing_live.is_none() {
        added.push_str(&format!("{indent}get \"healthz\", to: \"health#live\"\n"));
    }
    added.push_str(&format!("{indent}get \"readyz\", to: \"health#ready\"\n"));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if !out[draw].ends_with('\n') {
        out[draw].push('\n');
    }
    out.insert(draw + 1, added);
    b.modify(&routes_rel, out.concat());

    let version = b
        .read(&p.join("Gemfile.lock"))
        .and_then(|l| rails_version(&l));
    let probe_paths = if existing_live.is_some() {
        vec![live.clone(), READY_PATH.to_string()]
    } else {
        vec![LIVE_PATH.to_string(), READY_PATH.to_string()]
    };
    let excluded = format!(
        "->(request) {{ %w[{}].include?(request.path) }}",
        probe_paths.join(" ")
    );
    production_exclusions(p, b, &excluded, version);

    let skipped = b
        .read(&p.join("app/controllers/application_controller.rb"))
        .map(|t| before_actions(&t))
        .unwrap_or_default();
    let skipped = if skipped.is_empty() {
        String::new()
    } else {
        format!(
            " ApplicationController's before_actions ({}) do not run for them: the controller inherits from ActionController::API.",
            skipped.join(", ")
        )
    };
    let redis = if p.redis.is_some() {
        " and Redis (the Redis cache store, Action Cable's redis adapter, else REDIS_URL)"
    } else {
        " and Redis when the app configures one"
    };
    b.assume(format!(
        "Liveness at GET {live} and readiness at GET {READY_PATH}, answered by HealthController: readiness runs `SELECT 1` on every database config/database.yml gives this environment (DATABASE_URL merged in as Rails does){redis}, each on a connection of its own with a 2 s timeout.{skipped}"
    ));
    if existing_live.is_some() {
        b.assume(format!(
            "The app's own `rails/health#show` route at {live} stays the liveness probe; only readiness is added."
        ));
    }
    Ok((live, READY_PATH.to_string()))
}

/// Inserts `new` as lines after line `at` (each line of `lines` ends with
/// its newline), indented like it.
fn insert_after(lines: &mut Vec<String>, at: usize, new: &[&str]) {
    let indent: String = lines[at]
        .chars()
        .take_while(|c| c.is_whitespace() && *c != '\n')
        .collect();
    if !lines[at].ends_with('\n') {
        lines[at].push('\n');
    }
    let text: String = new.iter().map(|l| format!("{indent}{l}\n")).collect();
    lines.insert(at + 1, text);
}

/// In config/environments/production.rb, `force_ssl` redirects plain-HTTP
/// probes to HTTPS and a `config.hosts` allow-list answers probes by IP
/// with 403: both get an exclusion for the probe paths (Rails ≥ 6.1 has
/// `host_authorization` exclusions; the SSL redirect's since Rails 5).
fn production_exclusions(p: &Profile, b: &mut Builder, excluded: &str, version: Option<Version>) {
    let rel = p.join("config/environments/production.rb");
    let Some(text) = b.read(&rel) else { return };
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let uncommented = |needle: &str, lines: &[String]| {
        lines
            .iter()
            .rposition(|l| code(l).trim_start().starts_with(needle))
    };
    let forces_ssl = lines.iter().position(|l| {
        let c = code(l).replace(' ', "");
        c.trim() == "config.force_ssl=true"
    });
    if let Some(at) = forces_ssl {
        let options = uncommented("config.ssl_options", &lines);
        // A one-line hash without a redirect setting (`{ hsts: { … } }`)
        // takes the exclusion as one more key.
        let mergeable = options.filter(|i| {
            let c = code(&lines[*i]).trim_end().to_string();
            c.contains("= {") && c.ends_with('}') && !c.contains("redirect")
        });
        if let Some(i) = mergeable {
            let line = lines[i].clone();
            if let Some(brace) = line.find("= {") {
                let (head, tail) = line.split_at(brace + 3);
                let tail = tail.trim_start();
                lines[i] = format!("{head} redirect: {{ exclude: {excluded} }}, {tail}");
            }
        } else if options.is_some() {
            b.manual(format!(
                "config.force_ssl redirects plain-HTTP probes to HTTPS and config.ssl_options is already set in {rel}: add `redirect: {{ exclude: {excluded} }}` to it."
            ));
        } else {
            insert_after(
                &mut lines,
                at,
                &[
                    "# Probes speak plain HTTP to the container: no redirect for them (seaworthy fix).",
                    &format!("config.ssl_options = {{ redirect: {{ exclude: {excluded} }} }}"),
                ],
            );
        }
    }
    if let Some(at) = uncommented("config.hosts", &lines) {
        let supported = version.is_none_or(|v| (v.major, v.minor) >= (6, 1));
        if uncommented("config.host_authorization", &lines).is_some() || !supported {
            b.manual(format!(
                "config.hosts in {rel} answers probes by IP with 403: exclude the probe paths from host authorization (`config.host_authorization = {{ exclude: {excluded} }}`, Rails 6.1 and later)."
            ));
        } else {
            insert_after(
                &mut lines,
                at,
                &[
                    "# Probes call by IP, not by a host of the allow-list (seaworthy fix).",
                    &format!("config.host_authorization = {{ exclude: {excluded} }}"),
                ],
            );
        }
    }
    b.modify(&rel, lines.concat());
}

fn controller() -> String {
    include_str!("templates/rails_health_controller.rb").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_cut_outside_strings() {
        assert_eq!(code("get \"a#b\" # note"), "get \"a#b\" ");
        assert_eq!(code("  # all comment"), "  ");
    }

    #[test]
    fn the_first_string_of_a_route() {
        assert_eq!(
            first_string("get \"up\" => \"rails/health#show\""),
            Some("up")
        );
        assert_eq!(
            first_string("get 'up', to: 'rails/health#show'"),
            Some("up")
        );
    }

    #[test]
    fn before_actions_by_name() {
        let text = "class ApplicationController < ActionController::Base\n  before_action :authenticate_user!\n  # before_action :old\n  before_action(:set_tenant, if: :x)\nend\n";
        assert_eq!(
            before_actions(text),
            vec!["authenticate_user!", "set_tenant"]
        );
    }

    #[test]
    fn the_locked_rails_version() {
        let lock = "GEM\n  specs:\n    rails (6.1.7.10)\n      railties (= 6.1.7.10)\n    railties (6.1.7.10)\n";
        assert_eq!(rails_version(lock), Some(Version { major: 6, minor: 1 }));
    }
}
