//! Compose files (`docker-compose.yml`, `compose.yaml`, …).

use yaml_rust2::Yaml;

use super::yaml::{get, get_str};
use super::yaml_tree::Node;

#[derive(Debug, Clone)]
pub struct ComposeService {
    pub name: String,
    pub line: u32,
    /// `build:` context, relative to the compose file's folder.
    pub build_context: Option<String>,
    pub dockerfile: Option<String>,
    pub image: Option<String>,
    /// The service's whole definition, for rules that need more of it
    /// (volumes, environment, command).
    pub raw: Yaml,
    /// `build: {target: …}`: the stage built.
    pub target: Option<String>,
    /// `user:`: who the container runs as, overriding the image's `USER`.
    pub user: Option<String>,
    /// Where runtime details sit (restart, healthcheck, ports, …), read
    /// with positions.
    pub details: ServiceDetails,
}

#[derive(Debug, Default)]
pub struct ComposeFile {
    pub services: Vec<ComposeService>,
    /// The comment lines at the top of the file, lower-cased (they often
    /// say "for development only").
    pub header_comment: String,
}

impl ComposeFile {
    /// One parse, as a tree with lines; merge keys (`<<: *defaults`) are
    /// applied, as Compose applies them, so a service's image, build or
    /// environment taken from an anchor shows in every view of it.
    pub fn parse(text: &str) -> Result<ComposeFile, String> {
        let docs = super::yaml_tree::load(text)?;
        let mut file = ComposeFile {
            header_comment: crate::facts::text::header_comment(text),
            ..ComposeFile::default()
        };
        let Some(services) = docs.first().and_then(|d| d.get("services")) else {
            return Ok(file);
        };
        for (name, node, line) in services.entries() {
            let service = super::yaml_tree::to_yaml(node);
            let (build_context, dockerfile, target) = match get(&service, "build") {
                Some(Yaml::String(ctx)) => (Some(ctx.clone()), None, None),
                Some(build @ Yaml::Hash(_)) => (
                    Some(get_str(build, "context").unwrap_or(".").to_string()),
                    get_str(build, "dockerfile").map(str::to_string),
                    get_str(build, "target").map(str::to_string),
                ),
                _ => (None, None, None),
            };
            let user = match get(&service, "user") {
                Some(Yaml::String(u)) => Some(u.clone()),
                Some(Yaml::Integer(n)) => Some(n.to_string()),
                _ => None,
            };
            file.services.push(ComposeService {
                name: name.to_string(),
                line,
                build_context,
                dockerfile,
                image: get_str(&service, "image").map(str::to_string),
                target,
                user,
                details: ServiceDetails::read(node),
                raw: service,
            });
        }
        Ok(file)
    }

    pub fn service(&self, name: &str) -> Option<&ComposeService> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// A `healthcheck:` of a service.
#[derive(Debug, Clone, Default)]
pub struct Healthcheck {
    pub line: u32,
    /// `disable: true` or `test: ["NONE"]`.
    pub disabled: bool,
    /// The `test:` command, as one string or its list items.
    pub test: Vec<String>,
}

/// One entry of `depends_on:` (list form: no condition).
#[derive(Debug, Clone)]
pub struct DependsOn {
    pub service: String,
    /// `service_started` (the default), `service_healthy`,
    /// `service_completed_successfully`.
    pub condition: Option<String>,
    pub line: u32,
}

/// One entry of `volumes:` (short `src:dst[:mode]` or long syntax) or
/// `tmpfs:`.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Named volume or host path; `None` for an anonymous volume.
    pub source: Option<String>,
    pub target: String,
    /// `tmpfs` mounts keep nothing.
    pub tmpfs: bool,
    pub line: u32,
}

/// One entry of `ports:`.
#[derive(Debug, Clone)]
pub struct PortMapping {
    /// `127.0.0.1` in `127.0.0.1:5432:5432`; `None` binds every interface.
    pub host_ip: Option<String>,
    /// Host port; `None` publishes on a random host port.
    pub published: Option<String>,
    /// Container port.
    pub target: String,
    /// The entry as written, for messages.
    pub written: String,
    pub line: u32,
}

/// One `environment:` entry (map or `KEY=value` list form). `value` is
/// `None` for `KEY` alone (taken from the host's environment).
#[derive(Debug, Clone)]
pub struct EnvEntry {
    pub key: String,
    pub value: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceDetails {
    /// `restart:` value and line.
    pub restart: Option<(String, u32)>,
    pub healthcheck: Option<Healthcheck>,
    pub depends_on: Vec<DependsOn>,
    pub volumes: Vec<Mount>,
    pub ports: Vec<PortMapping>,
    /// `expose:` lists container ports for other services.
    pub exposes: bool,
    pub environment: Vec<EnvEntry>,
    pub env_file: bool,
    /// `command:` as one string (list form joined with spaces).
    pub command: Option<String>,
    /// Swarm's `deploy:` with `replicas` or `restart_policy`.
    pub swarm_deploy: bool,
    /// `labels:` keys and values joined (reverse-proxy routing labels).
    pub labels: Vec<String>,
    pub profiles: Vec<String>,
}

impl ServiceDetails {
    fn read(node: &Node) -> ServiceDetails {
        let mut d = ServiceDetails {
            restart: node
                .get("restart")
                .and_then(|n| n.as_str().map(|s| (s.to_string(), n.line))),
            exposes: !node
                .get("expose")
                .map(Node::items)
                .unwrap_or(&[])
                .is_empty(),
            env_file: node.get("env_file").is_some_and(|n| !n.is_null()),
            command: node.get("command").and_then(joined),
            swarm_deploy: node
                .get("deploy")
                .is_some_and(|d| d.get("replicas").is_some() || d.get("restart_policy").is_some()),
            ..ServiceDetails::default()
        };
        if let Some(hc) = node.get("healthcheck") {
            let none_test = hc.get("test").is_some_and(|t| {
                t.as_str() == Some("NONE")
                    || t.items().first().and_then(Node::as_str) == Some("NONE")
            });
            d.healthcheck = Some(Healthcheck {
                line: node.key_line("healthcheck").unwrap_or(hc.line),
                disabled: hc.get("disable").and_then(Node::as_bool) == Some(true) || none_test,
                test: hc
                    .get("test")
                    .map(|t| match t.as_str() {
                        Some(s) => vec![s.to_string()],
                        None => t
                            .items()
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect(),
                    })
                    .unwrap_or_default(),
            });
        }
        if let Some(deps) = node.get("depends_on") {
            for item in deps.items() {
                if let Some(name) = item.as_str() {
                    d.depends_on.push(DependsOn {
                        service: name.to_string(),
                        condition: None,
                        line: item.line,
                    });
                }
            }
            for (name, spec, line) in deps.entries() {
                d.depends_on.push(DependsOn {
                    service: name.to_string(),
                    condition: spec.get_str("condition").map(str::to_string),
                    // The condition's own line when it is written.
                    line: spec.key_line("condition").unwrap_or(line),
                });
            }
        }
        for item in node.get("volumes").map(Node::items).unwrap_or(&[]) {
            if let Some(short) = item.as_str() {
                if let Some(mount) = short_volume(short, item.line) {
                    d.volumes.push(mount);
                }
            } else if let Some(target) = item.get_str("target") {
                d.volumes.push(Mount {
                    source: item.get_str("source").map(str::to_string),
                    target: target.to_string(),
                    tmpfs: item.get_str("type") == Some("tmpfs"),
                    line: item.line,
                });
            }
        }
        let tmpfs = node.get("tmpfs");
        let tmpfs_items: Vec<&Node> = match tmpfs {
            Some(n) if n.as_str().is_some() => vec![n],
            Some(n) => n.items().iter().collect(),
            None => Vec::new(),
        };
        for item in tmpfs_items {
            if let Some(t) = item.as_str() {
                d.volumes.push(Mount {
                    source: None,
                    target: t.split(':').next().unwrap_or(t).to_string(),
                    tmpfs: true,
                    line: item.line,
                });
            }
        }
        for item in node.get("ports").map(Node::items).unwrap_or(&[]) {
            if let Some(short) = item.as_str() {
                if let Some(port) = short_port(short, item.line) {
                    d.ports.push(port);
                }
            } else if let Some(target) = item.get("target").and_then(Node::as_str) {
                let published = item
                    .get("published")
                    .and_then(Node::as_str)
                    .map(str::to_string);
                let host_ip = item.get_str("host_ip").map(str::to_string);
                d.ports.push(PortMapping {
                    written: format!(
                        "{}{}:{}",
                        host_ip
                            .as_deref()
                            .map(|h| format!("{h}:"))
                            .unwrap_or_default(),
                        published.as_deref().unwrap_or(""),
                        target
                    ),
                    host_ip,
                    published,
                    target: target.to_string(),
                    line: item.line,
                });
            }
        }
        match node.get("environment") {
            Some(env) if env.is_map() => {
                for (key, value, line) in env.entries() {
                    d.environment.push(EnvEntry {
                        key: key.to_string(),
                        value: value.as_str().map(str::to_string),
                        line,
                    });
                }
            }
            Some(env) => {
                for item in env.items() {
                    if let Some(entry) = item.as_str() {
                        let (key, value) = match entry.split_once('=') {
                            Some((k, v)) => (k, Some(v.to_string())),
                            None => (entry, None),
                        };
                        d.environment.push(EnvEntry {
                            key: key.trim().to_string(),
                            value,
                            line: item.line,
                        });
                    }
                }
            }
            None => {}
        }
        if let Some(labels) = node.get("labels") {
            for (k, v, _) in labels.entries() {
                d.labels.push(format!("{k}={}", v.as_str().unwrap_or("")));
            }
            for item in labels.items() {
                if let Some(l) = item.as_str() {
                    d.labels.push(l.to_string());
                }
            }
        }
        for item in node.get("profiles").map(Node::items).unwrap_or(&[]) {
            if let Some(p) = item.as_str() {
                d.profiles.push(p.to_string());
            }
        }
        d
    }

    /// An environment value by key.
    pub fn env(&self, key: &str) -> Option<&str> {
        self.environment
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| e.value.as_deref())
    }
}

/// A scalar, or a list of scalars joined with spaces.
fn joined(node: &Node) -> Option<String> {
    if let Some(s) = node.as_str() {
        return Some(s.to_string());
    }
    let words: Vec<&str> = node.items().iter().filter_map(Node::as_str).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Splits on `:` outside `${…}` interpolations.
fn split_colons(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match c {
            '{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            ':' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `[SOURCE:]TARGET[:MODE]`.
fn short_volume(text: &str, line: u32) -> Option<Mount> {
    let parts = split_colons(text);
    let (source, target) = match parts.as_slice() {
        [target] => (None, *target),
        [source, target] | [source, target, _] => (Some(source.to_string()), *target),
        _ => return None,
    };
    Some(Mount {
        source,
        target: target.to_string(),
        tmpfs: false,
        line,
    })
}

/// `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`; IPv6 hosts may be bracketed.
fn short_port(text: &str, line: u32) -> Option<PortMapping> {
    let spec = text.split('/').next().unwrap_or(text).trim();
    if spec.is_empty() {
        return None;
    }
    let (host_ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after.split_once("]:")?;
        (Some(ip.to_string()), rest)
    } else {
        (None, spec)
    };
    let parts = split_colons(rest);
    let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
        (Some(ip), [p, t]) => (Some(ip), Some(p.to_string()), t.to_string()),
        (None, [t]) => (None, None, t.to_string()),
        (None, [p, t]) => (None, Some(p.to_string()), t.to_string()),
        // An IPv6 host written without brackets: everything before the
        // last two parts.
        (None, [ip @ .., p, t]) => (Some(ip.join(":")), Some(p.to_string()), t.to_string()),
        _ => return None,
    };
    // `${SQL_PORT:-127.0.0.1:13306}:3306`: one variable holds the host
    // address and port, and its default says where the port is published
    // when the variable is unset.
    let host_ip = host_ip.or_else(|| {
        let published = published.as_deref()?;
        let inner = published.strip_prefix("${")?.strip_suffix('}')?;
        let (_, default) = inner.split_once(":-").or_else(|| inner.split_once('-'))?;
        let (ip, _) = default.rsplit_once(':')?;
        let ip = ip.trim_start_matches('[').trim_end_matches(']');
        (!ip.is_empty()).then(|| ip.to_string())
    });
    Some(PortMapping {
        host_ip: host_ip.filter(|ip| !ip.is_empty()),
        published: published.filter(|p| !p.is_empty()),
        target,
        written: text.to_string(),
        line,
    })
}

/// What a compose file is for, as far as its name, place and content say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeRole {
    /// Local development, tests, CI, dev containers.
    Development,
    /// Runs the application where it is deployed.
    Production,
    /// Cannot tell (a plain `docker-compose.yml` with backing services only).
    Unknown,
}

/// Words in a compose file's name or folders that mark development use.
const DEV_WORDS: &[&str] = &[
    "ci",
    "cypress",
    "debug",
    "dev",
    "devcontainer",
    "develop",
    "development",
    "e2e",
    "integration",
    "local",
    "localdev",
    "override",
    "playwright",
    "test",
    "testing",
    "tests",
    "worktree",
];

/// Phrases in a file's header comment that rule production out, whatever
/// its name says.
const NOT_PRODUCTION: &[&str] = &[
    "development only",
    "development purposes",
    "dev purposes",
    "for testing",
    "testing purposes",
    "not for production",
    "not to be used",
    "do not use in production",
    "don't use in production",
    "do not use this in production",
    "not production",
    "not meant for production",
    "not suitable for production",
    "not recommended for production",
    "not intended for production",
];

/// Whether a header comment (`text::header_comment`) rules production out.
pub fn says_not_production(header: &str) -> bool {
    NOT_PRODUCTION.iter().any(|p| header.contains(p))
}

/// Phrases in the header comment of a neutrally named file that say it is
/// for development.
const DEV_PHRASES: &[&str] = &["development", "local dev", "locally", "for testing"];

/// Phrases in a header comment that say the file runs the product for
/// self-hosters.
const SELF_HOST_PHRASES: &[&str] = &["self-host", "selfhost", "self host"];

/// Phrases that say a header is about running the product: a development
/// profile mentioned in a self-hosting file does not make it a dev file.
const PROD_PHRASES: &[&str] = &["self-host", "selfhost", "self host", "production", "deploy"];

/// Words that mark a deployment.
const PROD_WORDS: &[&str] = &[
    "deploy",
    "deployment",
    "live",
    "prd",
    "prod",
    "production",
    "release",
    "selfhost",
    "selfhosted",
];

impl ComposeFile {
    /// What the file's name, folders and header comment say it is for.
    /// Development words
    /// (`dev`, `local`, `test`, `ci`, `override`, …) win over production
    /// words (`prod`, `deploy`, `release`, `selfhost`, …); a name that says
    /// neither is `Unknown`, for the content to decide.
    pub fn name_role(&self, rel: &str) -> ComposeRole {
        self.name_role_why(rel).0
    }

    /// `name_role` and what decided it: the word of the name or folder,
    /// or the header comment's phrase.
    pub fn name_role_why(&self, rel: &str) -> (ComposeRole, String) {
        let lower = rel.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(['/', '.', '-', '_'])
            .filter(|w| !w.is_empty())
            .collect();
        let find = |list: &[&str]| {
            words
                .iter()
                .find(|w| list.contains(w))
                .map(|w| w.to_string())
        };
        let phrase = |list: &[&'static str]| {
            list.iter()
                .find(|p| self.header_comment.contains(**p))
                .map(|p| p.to_string())
        };
        if let Some(word) = find(DEV_WORDS) {
            (ComposeRole::Development, format!("its path says `{word}`"))
        } else if let Some(folder) = crate::roles::path::non_product_folder(rel) {
            (
                ComposeRole::Development,
                format!("it is in the folder `{folder}/`, which holds no product code"),
            )
        } else if let Some(p) = phrase(NOT_PRODUCTION) {
            (
                ComposeRole::Development,
                format!("its header comment says \"{p}\""),
            )
        } else if let Some(word) = find(PROD_WORDS) {
            (ComposeRole::Production, format!("its path says `{word}`"))
        } else if let Some(p) = phrase(DEV_PHRASES).filter(|_| phrase(PROD_PHRASES).is_none()) {
            (
                ComposeRole::Development,
                format!("its header comment says \"{p}\""),
            )
        } else if let Some(p) = phrase(SELF_HOST_PHRASES) {
            (
                ComposeRole::Production,
                format!("its header comment says \"{p}\""),
            )
        } else {
            (ComposeRole::Unknown, String::new())
        }
    }
}

/// One `${VAR…}` or `$VAR` of a compose value (Compose interpolation).
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolation {
    pub name: String,
    /// The value used when the variable is unset: the default of
    /// `${VAR:-default}` / `${VAR-default}`, itself interpolated as if
    /// nothing were set.
    pub default: Option<String>,
    /// `${VAR:?message}` / `${VAR?message}`: Compose refuses to start
    /// without the variable.
    pub required: bool,
}

/// A compose value as Compose resolves it when no variable is set, and
/// the interpolations in it (nested defaults included). `None` for the
/// value when a required variable (`${VAR:?}`) is in it.
pub fn resolve_unset(value: &str) -> (Option<String>, Vec<Interpolation>) {
    let mut found = Vec::new();
    let chars: Vec<char> = value.chars().collect();
    let mut at = 0;
    let resolved = resolve_until(&chars, &mut at, false, &mut found, 0);
    let required = found.iter().any(|i| i.required);
    ((!required).then_some(resolved), found)
}

/// Resolves from `at` to the end, or to the `}` that closes the default
/// being read (`in_default`), leaving `at` after it.
fn resolve_until(
    chars: &[char],
    at: &mut usize,
    in_default: bool,
    found: &mut Vec<Interpolation>,
    depth: usize,
) -> String {
    let mut out = String::new();
    while *at < chars.len() {
        let c = chars[*at];
        if in_default && c == '}' {
            *at += 1;
            return out;
        }
        if c != '$' {
            out.push(c);
            *at += 1;
            continue;
        }
        match chars.get(*at + 1) {
            Some('$') => {
                out.push('$');
                *at += 2;
            }
            Some('{') => {
                *at += 2;
                let start = *at;
                while *at < chars.len() && (chars[*at].is_ascii_alphanumeric() || chars[*at] == '_')
                {
                    *at += 1;
                }
                let name: String = chars[start..*at].iter().collect();
                let rest = &chars[*at..];
                let op: String = rest.iter().take(2).collect();
                let (skip, kind) = if op.starts_with('}') {
                    (1, ' ')
                } else if op == ":-" || op == ":?" || op == ":+" {
                    (2, rest[1])
                } else if op.starts_with(['-', '?', '+']) {
                    (1, rest[0])
                } else {
                    // Not an interpolation Compose knows: keep it as text.
                    out.push_str("${");
                    out.push_str(&name);
                    continue;
                };
                *at += skip;
                let mut interpolation = Interpolation {
                    name,
                    default: None,
                    required: kind == '?',
                };
                if kind != ' ' {
                    // The word after the operator, up to its closing brace.
                    let word = if depth < 16 {
                        resolve_until(chars, at, true, found, depth + 1)
                    } else {
                        String::new()
                    };
                    if kind == '-' {
                        out.push_str(&word);
                        interpolation.default = Some(word);
                    }
                }
                found.push(interpolation);
            }
            Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                *at += 1;
                let start = *at;
                while *at < chars.len() && (chars[*at].is_ascii_alphanumeric() || chars[*at] == '_')
                {
                    *at += 1;
                }
                found.push(Interpolation {
                    name: chars[start..*at].iter().collect(),
                    default: None,
                    required: false,
                });
            }
            _ => {
                out.push('$');
                *at += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_build_contexts() {
        let compose = ComposeFile::parse(
            "services:\n  web:\n    build:\n      context: ./apps/web\n      dockerfile: Dockerfile\n  api:\n    build: ./api\n  db:\n    image: postgres:17\n",
        )
        .expect("valid");
        let web = &compose.services[0];
        assert_eq!(web.build_context.as_deref(), Some("./apps/web"));
        assert_eq!(web.line, 2);
        assert_eq!(compose.services[1].build_context.as_deref(), Some("./api"));
        assert_eq!(compose.services[2].image.as_deref(), Some("postgres:17"));
        assert_eq!(compose.services[2].line, 8);
    }

    #[test]
    fn reads_runtime_details_with_lines() {
        let compose = ComposeFile::parse(
            "services:\n  web:\n    image: app\n    restart: always\n    depends_on:\n      db:\n        condition: service_healthy\n    environment:\n      - A=1\n      - B\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - \"${PORT:-3000}:3000\"\n      - \"9229\"\n      - \"[::1]:6000:6000/udp\"\n      - target: 80\n        published: 8081\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: x\n    volumes:\n      - pgdata:/var/lib/postgresql/data:rw\n      - /anon\n    healthcheck:\n      disable: true\n",
        )
        .expect("valid");
        let web = &compose.services[0].details;
        assert_eq!(
            web.restart.as_ref().map(|(r, l)| (r.as_str(), *l)),
            Some(("always", 4))
        );
        assert_eq!(
            web.depends_on[0].condition.as_deref(),
            Some("service_healthy")
        );
        assert_eq!(web.depends_on[0].line, 7);
        assert_eq!(web.environment[1].value, None);
        assert_eq!(web.environment[0].line, 9);
        let ports: Vec<(Option<&str>, Option<&str>, &str)> = web
            .ports
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_deref(),
                    p.published.as_deref(),
                    p.target.as_str(),
                )
            })
            .collect();
        assert_eq!(
            ports,
            [
                (Some("127.0.0.1"), Some("8080"), "80"),
                (None, Some("${PORT:-3000}"), "3000"),
                (None, None, "9229"),
                (Some("::1"), Some("6000"), "6000"),
                (None, Some("8081"), "80"),
            ]
        );
        let db = &compose.services[1].details;
        assert_eq!(db.env("POSTGRES_PASSWORD"), Some("x"));
        assert_eq!(db.volumes[0].target, "/var/lib/postgresql/data");
        assert_eq!(db.volumes[0].line, 23);
        assert_eq!(db.volumes[1].source, None);
        assert!(db.healthcheck.as_ref().is_some_and(|h| h.disabled));
    }

    #[test]
    fn an_interpolated_host_part_takes_its_address_from_the_default() {
        let port = |t: &str| short_port(t, 1).map(|p| p.host_ip);
        assert_eq!(
            port("${SQL_PORT:-127.0.0.1:13306}:3306"),
            Some(Some("127.0.0.1".to_string()))
        );
        assert_eq!(
            port("${DB_PORT:-0.0.0.0:5432}:5432"),
            Some(Some("0.0.0.0".to_string()))
        );
        // A default that is a port only says nothing about the address.
        assert_eq!(port("${PORT:-3000}:3000"), Some(None));
        assert_eq!(port("${PORT}:3000"), Some(None));
    }

    #[test]
    fn merge_keys_give_services_their_image() {
        let compose = ComposeFile::parse(
            "x-db: &db\n  image: postgres:17\n  restart: always\nservices:\n  db:\n    <<: *db\n    ports: [\"5432:5432\"]\n",
        )
        .expect("valid");
        assert_eq!(compose.services[0].image.as_deref(), Some("postgres:17"));
        assert!(compose.services[0].details.restart.is_some());
    }

    #[test]
    fn names_say_what_a_file_is_for() {
        let plain = ComposeFile::default();
        assert_eq!(
            plain.name_role("docker-compose.dev.yml"),
            ComposeRole::Development
        );
        assert_eq!(
            plain.name_role("docker-compose.override.yml"),
            ComposeRole::Development
        );
        assert_eq!(
            plain.name_role(".devcontainer/docker-compose.yml"),
            ComposeRole::Development
        );
        assert_eq!(
            plain.name_role("docker-compose.prod.yml"),
            ComposeRole::Production
        );
        assert_eq!(
            plain.name_role("deploy/compose.yaml"),
            ComposeRole::Production
        );
        assert_eq!(plain.name_role("docker-compose.yml"), ComposeRole::Unknown);
    }

    #[test]
    fn malformed_yaml_is_an_error() {
        assert!(ComposeFile::parse("services:\n  web: [\n").is_err());
    }

    #[test]
    fn interpolation_resolves_as_compose_does_with_nothing_set() {
        let (value, found) = resolve_unset("${SECRET_KEY:-s3cr3t-k3y}");
        assert_eq!(value.as_deref(), Some("s3cr3t-k3y"));
        assert_eq!(found[0].name, "SECRET_KEY");
        assert_eq!(found[0].default.as_deref(), Some("s3cr3t-k3y"));
        let url = "${DATABASE_URL:-postgresql://${POSTGRES_USER:-postgres}:${POSTGRES_PASSWORD:-password}@db:5432/app}";
        let (value, found) = resolve_unset(url);
        assert_eq!(
            value.as_deref(),
            Some("postgresql://postgres:password@db:5432/app")
        );
        assert_eq!(found.len(), 3);
        assert_eq!(resolve_unset("${DB_PASSWORD:?set it}").0, None);
        assert_eq!(resolve_unset("${DB_PASSWORD}").0.as_deref(), Some(""));
        assert_eq!(resolve_unset("$DB_PASSWORD").0.as_deref(), Some(""));
        assert_eq!(resolve_unset("${A-x}${B:+y}$$C").0.as_deref(), Some("x$C"));
        assert_eq!(resolve_unset("${A:-}").0.as_deref(), Some(""));
        // Unclosed and odd forms do not panic.
        for odd in ["${", "${A", "${A:-", "${A:-${B", "$", "${!}", "${A:x}"] {
            let _ = resolve_unset(odd);
        }
    }
}
