//! Procfiles: the process types a file declares, and what they say about
//! who reads the file.
//!
//! The same `name: command` format serves two masters. Heroku (and the
//! platforms that copied it: Dokku, Scalingo, Render's native runtimes)
//! reads it to run the app; foreman, overmind and hivemind read it to start
//! a developer's whole stack on a laptop. Only the first is a deployment
//! definition, so a Procfile says "platform" only with evidence: see
//! `Procfile::platform_signs` and `Procfile::local_signs`.

/// One `name: command` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub name: String,
    pub command: String,
    pub line: u32,
}

#[derive(Debug, Default)]
pub struct Procfile {
    pub processes: Vec<Process>,
}

/// What the content of a Procfile says about the platform reading it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PlatformSigns {
    /// A `release:` process: only Heroku-style platforms run one.
    pub release: bool,
    /// `$PORT` in the `web` command: the port a platform assigns.
    pub port_variable: bool,
    /// A `web` process that starts a production server.
    pub production_web: bool,
}

impl PlatformSigns {
    pub fn any(self) -> bool {
        self.release || self.port_variable || self.production_web
    }
}

/// Commands that run a backing service or a development tool: a process
/// file that starts them brings up a developer's local stack (a platform
/// provides databases as add-ons, never as a process).
const LOCAL_SERVICE_COMMANDS: &[&str] = &[
    "redis-server",
    "postgres",
    "pg_ctl",
    "mysqld",
    "mongod",
    "memcached",
    "elasticsearch",
    "mailcatcher",
    "mailhog",
    "minio",
    "webpack-dev-server",
    "bin/webpack-dev-server",
    "bin/vite",
    "vite",
    "esbuild",
    "tailwindcss",
    "livereload",
    "guard",
    "nodemon",
    "ngrok",
    "stripe",
];

/// Production servers a `web` command may start, with the package that
/// installs each (`None`: comes with the runtime or the framework).
const PRODUCTION_SERVERS: &[(&str, Option<&str>)] = &[
    ("gunicorn", Some("gunicorn")),
    ("uwsgi", Some("uwsgi")),
    ("uvicorn", Some("uvicorn")),
    ("daphne", Some("daphne")),
    ("hypercorn", Some("hypercorn")),
    ("waitress-serve", Some("waitress")),
    ("puma", Some("puma")),
    ("unicorn", Some("unicorn")),
    ("thin", Some("thin")),
    ("passenger", Some("passenger")),
    ("falcon", Some("falcon")),
    ("node", None),
    ("java", None),
    ("heroku-php-apache2", None),
    ("heroku-php-nginx", None),
    ("vendor/bin/heroku-php-apache2", None),
    ("vendor/bin/heroku-php-nginx", None),
    ("frankenphp", None),
];

impl Procfile {
    pub fn parse(text: &str) -> Procfile {
        let processes = text
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let line = line.trim();
                if line.starts_with('#') {
                    return None;
                }
                let (name, command) = line.split_once(':')?;
                let name = name.trim();
                // Process names are `[A-Za-z0-9_-]+`; anything else is prose.
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    return None;
                }
                Some(Process {
                    name: name.to_string(),
                    command: command.trim().to_string(),
                    line: i as u32 + 1,
                })
            })
            .collect();
        Procfile { processes }
    }

    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }

    /// What the content says for a platform. `installed` answers whether
    /// the app's dependencies include a package: a `web` process whose
    /// server nothing installs cannot run anywhere as written.
    pub fn platform_signs(&self, installed: impl Fn(&str) -> bool) -> PlatformSigns {
        let web = self.process("web");
        PlatformSigns {
            release: self.process("release").is_some(),
            port_variable: web.is_some_and(|w| mentions_port_variable(&w.command)),
            production_web: web.is_some_and(|w| {
                let words = command_words(&w.command);
                words.iter().any(|word| {
                    // `bin/puma`: a binstub of the server.
                    let word = word.strip_prefix("bin/").unwrap_or(word);
                    PRODUCTION_SERVERS
                        .iter()
                        .any(|(server, package)| word == *server && package.is_none_or(&installed))
                }) || starts_framework_server(&words)
            }),
        }
    }

    /// The processes that say "a developer's machine": a backing service
    /// or a watcher started as a process, or a `web` server bound to a
    /// fixed port (a platform assigns the port through `$PORT`).
    pub fn local_signs(&self) -> Vec<&Process> {
        self.processes
            .iter()
            .filter(|p| {
                let words = command_words(&p.command);
                words
                    .iter()
                    .any(|w| LOCAL_SERVICE_COMMANDS.contains(&w.as_str()))
                    || (p.name == "web"
                        && binds_fixed_port(&words)
                        && !mentions_port_variable(&p.command))
            })
            .collect()
    }
}

/// `$PORT`, `${PORT}`, `${PORT:-3000}`.
fn mentions_port_variable(command: &str) -> bool {
    command.contains("$PORT") || command.contains("${PORT")
}

/// The command's words, with `bundle exec`, `exec`, `env X=y` and path
/// prefixes (`./bin/`, `.venv/bin/`) taken off each word's program name.
fn command_words(command: &str) -> Vec<String> {
    command
        .split(['&', ';', '|'])
        .flat_map(|part| part.split_whitespace())
        .map(|w| {
            let w = w.trim_matches(['"', '\'']);
            // `bin/rails`, `./node_modules/.bin/next`: the program's name.
            match w.strip_prefix("./") {
                Some(rest) => rest.to_string(),
                None => w.to_string(),
            }
        })
        .map(|w| {
            if w.starts_with("bin/") || w.starts_with("vendor/") {
                w
            } else {
                w.rsplit('/').next().unwrap_or(&w).to_string()
            }
        })
        .collect()
}

/// `rails server`, `npm start`, `yarn start`, `php artisan serve` is not
/// (a development server), `next start`, `nuxt start`.
fn starts_framework_server(words: &[String]) -> bool {
    words.windows(2).any(|pair| {
        matches!(
            (pair[0].as_str(), pair[1].as_str()),
            ("rails" | "bin/rails", "server" | "s")
                | ("npm" | "yarn" | "pnpm" | "bun", "start")
                | (
                    "next" | "nuxt" | "remix-serve" | "react-router-serve",
                    "start"
                )
        )
    }) || words
        .iter()
        .any(|w| w == "remix-serve" || w == "react-router-serve")
}

/// `-p 3000`, `--port 3000`, `--port=3000`, `-b 0.0.0.0:8000`,
/// `--bind :8000`: a port written into the command.
fn binds_fixed_port(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        let next = words.get(i + 1).map(String::as_str).unwrap_or("");
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        let port_after_colon = |s: &str| s.rsplit_once(':').is_some_and(|(_, port)| digits(port));
        match w.as_str() {
            "-p" | "--port" | "-P" => digits(next),
            "-b" | "--bind" | "--listen" => port_after_colon(next),
            other => {
                other
                    .strip_prefix("--port=")
                    .or_else(|| other.strip_prefix("-p"))
                    .is_some_and(digits)
                    || other
                        .strip_prefix("--bind=")
                        .or_else(|| other.strip_prefix("-b"))
                        .is_some_and(port_after_colon)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heroku_procfile_has_platform_signs() {
        let p = Procfile::parse(
            "release: python manage.py migrate\nweb: gunicorn app.wsgi --bind 0.0.0.0:$PORT\n",
        );
        let signs = p.platform_signs(|pkg| pkg == "gunicorn");
        assert!(signs.release && signs.port_variable && signs.production_web);
        assert!(p.local_signs().is_empty());
    }

    #[test]
    fn a_foreman_file_has_local_signs() {
        let p = Procfile::parse("redis: redis-server\nweb: bundle exec unicorn -p 3001\n");
        let local: Vec<&str> = p.local_signs().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(local, ["redis", "web"]);
        let p = Procfile::parse("backend: bin/rails s -p 3000\n");
        assert!(!p.platform_signs(|_| true).any());
    }

    #[test]
    fn a_server_nothing_installs_is_not_production() {
        let p = Procfile::parse("web: gunicorn app:app\n");
        assert!(!p.platform_signs(|_| false).production_web);
        assert!(p.platform_signs(|pkg| pkg == "gunicorn").production_web);
        let p = Procfile::parse("web: bundle exec rails server\n");
        assert!(p.platform_signs(|_| false).production_web);
    }
}
