//! Which databases code names: engine identifiers, connection URLs and
//! driver imports among a file's string literals, and whether a literal is
//! only the fallback of a setting read from the environment
//! (`os.getenv("DATABASE_URL", "sqlite:///app.db")`).

use super::code::{Lang, Spanned, Token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// A SQLite file (or in-process SQLite).
    Sqlite,
    /// An embedded H2 database (Java).
    H2,
    /// A database server: PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, MongoDB.
    Server,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseLiteral {
    pub engine: Engine,
    pub text: String,
    pub line: u32,
    /// The literal is the default of a value read from the environment.
    pub from_env_default: bool,
    /// The literal sits in a block taken only under tests
    /// (`if "test" in sys.argv:`, `if TESTING:`), or (JavaScript) in a
    /// branch production never takes (`NODE_ENV === "test" ? … : …`).
    pub test_only: bool,
    /// JavaScript: the literal is the branch taken when an environment
    /// variable is set (`process.env.DATABASE_URL ? "pg" : "sqlite3"`):
    /// an option, not the default.
    pub when_env_set: bool,
    /// Python: the literal sits in the branch an environment switch takes
    /// by default (`SQLITE = env.bool("USE_SQLITE", default=True)` then
    /// `if SQLITE:`), with the switch's variable: production gets it
    /// unless its deployment sets the variable.
    pub default_switch: Option<String>,
    /// Python: a later statement replaces the settings' database with one
    /// parsed from a URL (`DATABASES['default'].update(dj_database_url.config())`,
    /// `DATABASES = {'default': dj_database_url.parse(os.environ[…])}`):
    /// the literal is what the app gets only when the URL is not set.
    pub replaced_from_url: bool,
}

/// ADO.NET connection strings in a settings file (`appsettings.json`) that
/// open a SQLite file: `"Data Source=/var/lib/app/data.sqlite"` (also
/// `DataSource=`, `Filename=`), the path ending in a SQLite file's
/// extension. SQL Server's `Data Source=server;Initial Catalog=…` names a
/// host, not a file. Returns the connection string and its line.
pub fn sqlite_connection_strings(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with('#') {
            continue;
        }
        for part in line.split('"') {
            let lower = part.to_ascii_lowercase();
            let Some(value) = ["data source=", "datasource=", "filename="]
                .iter()
                .find_map(|k| lower.strip_prefix(k))
            else {
                continue;
            };
            let path = value.split(';').next().unwrap_or("").trim();
            if [".db", ".sqlite", ".sqlite3"]
                .iter()
                .any(|ext| path.ends_with(ext))
            {
                out.push((part.to_string(), n as u32 + 1));
            }
        }
    }
    out
}

/// Classifies a string literal as a database engine/URL/driver, if it is one.
pub fn engine_of(literal: &str) -> Option<Engine> {
    let s = literal.trim().to_ascii_lowercase();
    const SQLITE: &[&str] = &[
        "django.db.backends.sqlite3",
        "github.com/mattn/go-sqlite3",
        "modernc.org/sqlite",
        "gorm.io/driver/sqlite",
        "github.com/glebarez/sqlite",
        "github.com/ncruces/go-sqlite3",
        "github.com/jinzhu/gorm/dialects/sqlite",
        // The JDBC driver class (`Class.forName("org.sqlite.JDBC")`).
        "org.sqlite.jdbc",
    ];
    const SERVER: &[&str] = &[
        "django.db.backends.postgresql",
        "django.db.backends.postgresql_psycopg2",
        "django.db.backends.mysql",
        "django.db.backends.oracle",
        "django.contrib.gis.db.backends.postgis",
        "django.contrib.gis.db.backends.mysql",
        "mssql",
        "github.com/lib/pq",
        "github.com/jackc/pgx",
        "github.com/jackc/pgx/v4",
        "github.com/jackc/pgx/v5",
        "github.com/jackc/pgx/v5/stdlib",
        "github.com/jackc/pgx/v5/pgxpool",
        "github.com/go-sql-driver/mysql",
        "gorm.io/driver/postgres",
        "gorm.io/driver/mysql",
        "gorm.io/driver/sqlserver",
        "go.mongodb.org/mongo-driver/mongo",
        "org.postgresql.driver",
        "com.mysql.jdbc.driver",
        "com.mysql.cj.jdbc.driver",
        "org.mariadb.jdbc.driver",
    ];
    if SQLITE.contains(&s.as_str())
        || s.starts_with("sqlite:")
        || s.starts_with("sqlite+")
        || s.starts_with("jdbc:sqlite:")
    {
        return Some(Engine::Sqlite);
    }
    // Remote libSQL (Turso) speaks SQLite but is a server.
    if s.starts_with("libsql://") {
        return Some(Engine::Server);
    }
    if s.starts_with("jdbc:h2:") {
        return Some(Engine::H2);
    }
    if SERVER.contains(&s.as_str())
        || [
            "postgres://",
            "postgresql://",
            "postgresql+",
            "mysql://",
            "mysql+",
            "mariadb://",
            "mongodb://",
            "mongodb+srv://",
            "jdbc:postgresql:",
            "jdbc:mysql:",
            "jdbc:mariadb:",
            "jdbc:sqlserver:",
            "jdbc:oracle:",
            "mssql+",
        ]
        .iter()
        .any(|p| s.starts_with(p))
    {
        return Some(Engine::Server);
    }
    None
}

/// Names of calls that read the environment; a literal among their
/// arguments (or after `or`/`||`/`??` on the same line) is a fallback.
const ENV_READERS: &[&str] = &[
    "config",
    "db",
    "db_url",
    "env",
    "environ",
    "fetch",
    "get",
    "getProperty",
    "getenv",
    "parse",
    "SetDefault",
    "str",
    "url",
];

/// Keys whose value names the database engine by a bare word (`'sqlite'`,
/// `'pgsql'`): Laravel's `'default' => env('DB_CONNECTION', 'sqlite')`, knex
/// `client`, Sequelize `dialect`, TypeORM `type`, Rails-style `adapter`.
const CONNECTION_KEYS: &[&str] = &[
    "adapter",
    "client",
    "db_connection",
    "dbms",
    "default",
    "dialect",
    "driver",
    "engine",
    "type",
];

/// Endings of setting names that select the database engine
/// (`LD_DB_ENGINE`, `DB_DRIVER`, `GOTIFY_DATABASE_DIALECT`).
const CONNECTION_KEY_SUFFIXES: &[&str] = &["_adapter", "_dbms", "_dialect", "_driver", "_engine"];

fn is_connection_key(name: &str, lang: Lang) -> bool {
    let name = name.to_ascii_lowercase();
    // Laravel's `config/database.php` lists every connection it knows as
    // `'driver' => 'sqlite'`, `'driver' => 'mysql'`: there the key names an
    // option, and only `'default'` chooses.
    if name == "driver" && lang == Lang::Php {
        return false;
    }
    CONNECTION_KEYS.contains(&name.as_str())
        || CONNECTION_KEY_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether the string at `i` is the value of a setting that selects the
/// engine (`'default' => env('DB_CONNECTION', 'sqlite')`, `Dialect:
/// "sqlite3"`, `SetDefault("driver", "sqlite")`): a key of that kind earlier
/// on its line, and the literal not the right side of a comparison
/// (`if dialect == "sqlite3"` reads the setting, it does not choose it).
fn keyed_engine(tokens: &[Spanned], i: usize, lang: Lang) -> bool {
    let line = tokens[i].line;
    let punct = |j: usize| match tokens.get(j).map(|t| &t.token) {
        Some(Token::Punct(c)) => Some(*c),
        _ => None,
    };
    if i >= 2 && punct(i - 1) == Some('=') && matches!(punct(i - 2), Some('=' | '!')) {
        return false;
    }
    tokens[..i]
        .iter()
        .rev()
        .take_while(|t| t.line == line)
        .take(32)
        .any(|t| matches!(&t.token, Token::Str(k) | Token::Ident(k) if is_connection_key(k, lang)))
}

fn bare_engine(word: &str) -> Option<Engine> {
    match word {
        "sqlite" | "sqlite3" | "better-sqlite3" => Some(Engine::Sqlite),
        "pgsql" | "pg" | "postgres" | "postgresql" | "mysql" | "mysql2" | "mariadb" | "sqlsrv"
        | "mssql" | "oracle" => Some(Engine::Server),
        _ => None,
    }
}

/// JavaScript modules that open a SQLite file in-process.
const SQLITE_MODULES: &[&str] = &[
    "better-sqlite3",
    "bun:sqlite",
    "drizzle-orm/better-sqlite3",
    "drizzle-orm/bun-sqlite",
    "node:sqlite",
    "sqlite",
    "sqlite3",
];

/// JavaScript modules of database servers.
const SERVER_MODULES: &[&str] = &[
    "@neondatabase/serverless",
    "@planetscale/database",
    "@vercel/postgres",
    "drizzle-orm/mysql2",
    "drizzle-orm/neon-http",
    "drizzle-orm/node-postgres",
    "drizzle-orm/postgres-js",
    "mariadb",
    "mongodb",
    "mongoose",
    "mssql",
    "mysql",
    "mysql2",
    "mysql2/promise",
    "oracledb",
    "pg",
    "postgres",
    "tedious",
];

/// The module a JavaScript string literal imports, if it is one:
/// `require("x")`, `import("x")`, `from "x"`, `import "x"`.
fn is_js_import(tokens: &[Spanned], i: usize) -> bool {
    let ident = |n: usize| match i.checked_sub(n).map(|j| &tokens[j].token) {
        Some(Token::Ident(w)) => Some(w.as_str()),
        _ => None,
    };
    let open = matches!(
        i.checked_sub(1).map(|j| &tokens[j].token),
        Some(Token::Punct('('))
    );
    matches!(ident(1), Some("from" | "import"))
        || (open && matches!(ident(2), Some("require" | "import")))
}

/// How production treats a JavaScript literal, from the expression around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JsRole {
    /// Always taken.
    Plain,
    /// Taken when an environment variable is unset: the default.
    Fallback,
    /// Taken when an environment variable is set: an option.
    WhenEnvSet,
    /// Taken in production only.
    Production,
    /// Never taken in production (tests, development).
    NotProduction,
}

/// What a condition (`process.env.NODE_ENV === "test"`,
/// `process.env.DATABASE_URL`, `!process.env.X`) says about production:
/// the role of the branch taken when it holds, if it says anything.
fn condition_role(cond: &[Spanned]) -> Option<JsRole> {
    let strings: Vec<String> = cond
        .iter()
        .filter_map(|t| match &t.token {
            Token::Str(s) => Some(s.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let negated = cond.iter().any(|t| t.token == Token::Punct('!'));
    let prod = strings
        .iter()
        .any(|s| matches!(s.as_str(), "production" | "prod"));
    let not_prod = strings.iter().any(|s| {
        matches!(
            s.as_str(),
            "test" | "testing" | "development" | "dev" | "local" | "ci"
        )
    });
    if prod {
        return Some(if negated {
            JsRole::NotProduction
        } else {
            JsRole::Production
        });
    }
    if not_prod {
        return Some(if negated {
            JsRole::Production
        } else {
            JsRole::NotProduction
        });
    }
    let names_test = cond.iter().any(|t| {
        matches!(&t.token, Token::Ident(w) if {
            let w = w.to_ascii_lowercase();
            w.contains("test") || w == "isdev" || w == "dev" || w.contains("development")
        })
    });
    if names_test {
        return Some(if negated {
            JsRole::Production
        } else {
            JsRole::NotProduction
        });
    }
    let reads_env = cond
        .iter()
        .any(|t| matches!(&t.token, Token::Ident(w) if w == "env"));
    reads_env.then_some(if negated {
        JsRole::Fallback
    } else {
        JsRole::WhenEnvSet
    })
}

fn inverse(role: JsRole) -> JsRole {
    match role {
        JsRole::Fallback => JsRole::WhenEnvSet,
        JsRole::WhenEnvSet => JsRole::Fallback,
        JsRole::Production => JsRole::NotProduction,
        JsRole::NotProduction => JsRole::Production,
        JsRole::Plain => JsRole::Plain,
    }
}

/// The role of the literal at `i`: the operator that chose it within its
/// expression (`a || "x"`, `cond ? "x" : "y"`), else the `if (…) {` block
/// around it. Bounded look-backs keep this linear.
fn js_role(tokens: &[Spanned], i: usize) -> JsRole {
    let punct = |j: usize| match &tokens[j].token {
        Token::Punct(c) => Some(*c),
        _ => None,
    };
    // Walk back through the expression at the literal's depth.
    let mut depth = 0i32;
    let mut j = i;
    let mut branch: Option<(bool, usize)> = None; // (then-branch, index of `?`)
    let mut saw_colon = false;
    for _ in 0..64 {
        let Some(prev) = j.checked_sub(1) else { break };
        j = prev;
        match punct(j) {
            Some(')' | ']' | '}') => depth += 1,
            Some('(' | '[' | '{') if depth > 0 => depth -= 1,
            Some('(' | '[' | '{' | ';' | ',') if depth == 0 => break,
            Some('|') if depth == 0 && j > 0 && punct(j - 1) == Some('|') => {
                return JsRole::Fallback
            }
            Some('?') if depth == 0 && j > 0 && punct(j - 1) == Some('?') => {
                return JsRole::Fallback
            }
            Some('?') if depth == 0 && punct(j + 1) != Some('.') => {
                branch = Some((!saw_colon, j));
                break;
            }
            Some(':') if depth == 0 => {
                // An object key's colon ends the expression; a ternary's
                // puts the literal in the else branch.
                let key = j > 0
                    && matches!(tokens[j - 1].token, Token::Ident(_) | Token::Str(_))
                    && (j < 2 || matches!(punct(j - 2), Some('{' | ',')));
                if key {
                    break;
                }
                saw_colon = true;
            }
            _ => {}
        }
    }
    if let Some((then_branch, question)) = branch {
        // The condition: back from the `?` to the start of the expression.
        let mut start = question;
        let mut depth = 0i32;
        while start > 0 && question - start < 32 {
            match punct(start - 1) {
                Some(')' | ']') => depth += 1,
                Some('(' | '[') if depth > 0 => depth -= 1,
                Some('(' | '[' | '{' | ';' | ',' | ':') if depth == 0 => break,
                Some('=')
                    if depth == 0
                        && !matches!(punct(start), Some('='))
                        && start >= 2
                        && punct(start - 2) != Some('=')
                        && punct(start - 2) != Some('!') =>
                {
                    break
                }
                _ => {}
            }
            start -= 1;
        }
        if let Some(role) = condition_role(&tokens[start..question]) {
            return if then_branch { role } else { inverse(role) };
        }
        return JsRole::Plain;
    }
    // The `if (…) {` block around the literal.
    let mut depth = 0i32;
    let mut k = i;
    for _ in 0..400 {
        let Some(prev) = k.checked_sub(1) else { break };
        k = prev;
        match punct(k) {
            Some('}') => depth += 1,
            Some('{') if depth > 0 => depth -= 1,
            Some('{') => {
                // An object under an environment's key (`development: {`)
                // is that environment's configuration.
                if k >= 2 && punct(k - 1) == Some(':') {
                    if let Token::Ident(key) | Token::Str(key) = &tokens[k - 2].token {
                        match key.to_ascii_lowercase().as_str() {
                            "production" | "prod" => return JsRole::Production,
                            "development" | "dev" | "test" | "testing" | "local" | "ci" => {
                                return JsRole::NotProduction
                            }
                            _ => {}
                        }
                    }
                }
                // An object literal or a bare block: look further out.
                if k == 0 || punct(k - 1) != Some(')') {
                    continue;
                }
                // Back to the matching `(`.
                let mut parens = 0i32;
                let mut open = k - 1;
                while open > 0 {
                    match punct(open) {
                        Some(')') => parens += 1,
                        Some('(') => {
                            parens -= 1;
                            if parens == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    open -= 1;
                }
                let is_if =
                    open > 0 && matches!(&tokens[open - 1].token, Token::Ident(w) if w == "if");
                if is_if {
                    if let Some(role) = condition_role(&tokens[open + 1..k - 1]) {
                        return role;
                    }
                }
                break;
            }
            _ => {}
        }
    }
    JsRole::Plain
}

/// A JavaScript literal that names a database: a driver module imported,
/// an engine keyed by `client`/`dialect`/`type`, or a database URL
/// (`file:` only where a database URL is read: a `url` key, a
/// `DATABASE_URL`-like variable).
fn js_engine(tokens: &[Spanned], i: usize, text: &str, keyed: impl Fn() -> bool) -> Option<Engine> {
    if is_js_import(tokens, i) {
        if SQLITE_MODULES.contains(&text) {
            return Some(Engine::Sqlite);
        }
        return SERVER_MODULES.contains(&text).then_some(Engine::Server);
    }
    if text.starts_with("file:") {
        let line = tokens[i].line;
        let database_context = tokens[..i]
            .iter()
            .rev()
            .take_while(|t| t.line == line)
            .take(32)
            .any(|t| match &t.token {
                // A `url` key (not `new URL(…)`), or a name about databases.
                Token::Ident(w) | Token::Str(w) => {
                    w == "url" || {
                        let w = w.to_ascii_lowercase();
                        w.contains("database")
                            || w.starts_with("db")
                            || w.ends_with("db")
                            || w.contains("sqlite")
                            || w.contains("libsql")
                    }
                }
                _ => false,
            });
        return database_context.then_some(Engine::Sqlite);
    }
    engine_of(text).or_else(|| bare_engine(text).filter(|_| keyed()))
}

/// PHP: the engines named as the value of a `'driver'` key
/// (`'driver' => 'sqlite'`), with lines. `literals` leaves them out because
/// Laravel's `config/database.php` lists one per known connection; a file
/// that names a single driver chooses it.
pub fn php_driver_values(tokens: &[Spanned]) -> Vec<(Engine, String, u32)> {
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(value) = &tok.token else {
            continue;
        };
        let is_driver_value = i >= 3
            && matches!(&tokens[i - 1].token, Token::Punct('>'))
            && matches!(&tokens[i - 2].token, Token::Punct('='))
            && matches!(&tokens[i - 3].token, Token::Str(k) if k.eq_ignore_ascii_case("driver"));
        if !is_driver_value {
            continue;
        }
        if let Some(engine) = bare_engine(value).or_else(|| engine_of(value)) {
            out.push((engine, value.clone(), tok.line));
        }
    }
    out
}

/// Python: whether a statement after `line` puts a database parsed from a
/// URL into `DATABASES` — directly (`DATABASES['default'] =
/// dj_database_url.config(…)`, `….update(dj_database_url.parse(…))`) or
/// through a variable assigned from it (`db_from_env =
/// dj_database_url.config()` then `DATABASES['default'].update(db_from_env)`).
fn replaced_from_url(lines: &[&str], line: u32) -> bool {
    let parses = |l: &str| {
        [
            "dj_database_url.config(",
            "dj_database_url.parse(",
            "db_url.config(",
        ]
        .iter()
        .any(|c| l.contains(c))
    };
    let mut variables: Vec<&str> = Vec::new();
    for l in lines.iter().skip(line as usize) {
        let code = l.split('#').next().unwrap_or("").trim();
        if code.is_empty() {
            continue;
        }
        let mentions_databases = code.contains("DATABASES");
        if parses(code) {
            if mentions_databases {
                return true;
            }
            if let Some((lhs, _)) = code.split_once('=') {
                let lhs = lhs.trim();
                if !lhs.is_empty() && lhs.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    variables.push(lhs);
                }
            }
            continue;
        }
        if mentions_databases
            && variables.iter().any(|v| {
                code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|w| w == *v)
            })
        {
            return true;
        }
    }
    false
}

pub fn literals(tokens: &[Spanned], text: &str, lang: Lang) -> Vec<DatabaseLiteral> {
    if lang == Lang::Js {
        return js_literals(tokens);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(text) = &tok.token else {
            continue;
        };
        let keyed = || keyed_engine(tokens, i, lang);
        let Some(engine) = engine_of(text).or_else(|| bare_engine(text).filter(|_| keyed())) else {
            continue;
        };
        // Look back along the same line, stopping at a statement boundary.
        let mut from_env_default = false;
        for prev in tokens[..i]
            .iter()
            .rev()
            .take_while(|t| t.line == tok.line)
            .take(32)
        {
            match &prev.token {
                Token::Punct(';') => break,
                Token::Ident(word)
                    if ENV_READERS.contains(&word.as_str())
                        || word == "default"
                        || word == "or" =>
                {
                    from_env_default = true;
                    break;
                }
                Token::Punct('|') | Token::Punct('?') => {
                    from_env_default = true;
                    break;
                }
                _ => {}
            }
        }
        // A Python expression continued from the line above
        // (`os.environ.get("DATABASE_URL") or \` then the literal).
        if !from_env_default {
            let prev = tokens[..i]
                .iter()
                .rev()
                .skip_while(|t| t.line == tok.line)
                .find(|t| t.token != Token::Punct('\\'));
            if let Some(prev) = prev.map(|t| &t.token) {
                from_env_default =
                    lang == Lang::Python && matches!(prev, Token::Ident(w) if w == "or");
            }
        }
        // `if "DATABASE_URL" in os.environ: … else: DATABASES = {sqlite}`:
        // the branch production takes whenever the variable is missing.
        if !from_env_default && lang == Lang::Python {
            from_env_default = in_env_fallback_block(&lines, tok.line);
        }
        let test_only = lang == Lang::Python && in_test_block(&lines, tok.line);
        let mut when_env_set = false;
        let mut default_switch = None;
        if lang == Lang::Python {
            match switch_branch(&lines, tok.line) {
                Some((true, variable)) => {
                    from_env_default = true;
                    default_switch = Some(variable);
                }
                Some((false, _)) => when_env_set = true,
                None => {}
            }
        }
        let replaced_from_url = lang == Lang::Python && replaced_from_url(&lines, tok.line);
        if replaced_from_url {
            from_env_default = true;
        }
        out.push(DatabaseLiteral {
            engine,
            text: text.clone(),
            line: tok.line,
            from_env_default,
            test_only,
            when_env_set,
            default_switch,
            replaced_from_url,
        });
    }
    out
}

/// The database literals of JavaScript/TypeScript, each with the role
/// its expression gives it in production. `:memory:` databases are not
/// files and are left out.
fn js_literals(tokens: &[Spanned]) -> Vec<DatabaseLiteral> {
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(text) = &tok.token else {
            continue;
        };
        // Most strings are not databases: a cheap test before any work.
        if text.len() > 200 || text == ":memory:" {
            continue;
        }
        let keyed = || keyed_engine(tokens, i, Lang::Js);
        let Some(engine) = js_engine(tokens, i, text, keyed) else {
            continue;
        };
        let role = js_role(tokens, i);
        out.push(DatabaseLiteral {
            engine,
            text: text.clone(),
            line: tok.line,
            from_env_default: role == JsRole::Fallback,
            test_only: role == JsRole::NotProduction,
            when_env_set: role == JsRole::WhenEnvSet,
            default_switch: None,
            replaced_from_url: false,
        });
    }
    out
}

/// Python: whether the line sits in an `if`/`elif` block whose condition
/// is about tests, judged by indentation.
/// The lines that enclose a Python line, innermost first, with their
/// index: each less indented than the one before (a dict's opening line,
/// then block headers), within a bounded look-back that keeps callers
/// linear.
fn enclosing_lines<'a>(lines: &'a [&'a str], line: u32) -> Vec<(usize, &'a str)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let at = line.saturating_sub(1) as usize;
    let Some(own) = lines.get(at) else {
        return Vec::new();
    };
    let mut level = indent(own);
    let mut out = Vec::new();
    for k in (at.saturating_sub(400)..at).rev() {
        let l = lines[k];
        let trimmed = l.trim_start();
        if level == 0 {
            break;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || indent(l) >= level {
            continue;
        }
        level = indent(l);
        out.push((k, l));
    }
    out
}

/// Whether a Python line sits in the branch taken when the environment
/// does not set a variable: the `else:` of an `if` that tests the
/// environment (`if "DATABASE_URL" in os.environ:`, `if os.getenv(…):`),
/// or an `if` that tests for its absence (`if "X" not in os.environ:`,
/// `if not os.environ.get(…):`, `if os.getenv(…) is None:`).
fn in_env_fallback_block(lines: &[&str], line: u32) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let reads_env = |condition: &str| {
        ["environ", "getenv", "env(", "config("]
            .iter()
            .any(|w| condition.contains(w))
    };
    let negated = |h: &str| {
        h.contains(" not in ")
            || h.contains("if not ")
            || h.contains("elif not ")
            || h.contains(" is None")
    };
    enclosing_lines(lines, line).into_iter().any(|(k, l)| {
        let trimmed = l.trim_start();
        if trimmed.starts_with("if ") || trimmed.starts_with("elif ") {
            return negated(trimmed) && reads_env(trimmed);
        }
        if !(trimmed.starts_with("else:") || trimmed.starts_with("else :")) {
            return false;
        }
        // The `if` this `else` closes: the nearest line above at its indent
        // or less (the lines between are its body).
        let level = indent(l);
        (k.saturating_sub(400)..k)
            .rev()
            .map(|m| lines[m])
            .find(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#') && indent(l) <= level
            })
            .map(str::trim_start)
            .is_some_and(|t| {
                (t.starts_with("if ") || t.starts_with("elif ")) && !negated(t) && reads_env(t)
            })
    })
}

/// The default of a boolean read from the environment on this line, with
/// the variable's name: `env.bool("X", default=True)`, `env.bool("X",
/// True)`, decouple's `config("X", default=True, cast=bool)`.
fn env_bool_default(text: &str) -> Option<(bool, String)> {
    let at = ["env.bool(", "config(", "env_bool("]
        .iter()
        .find_map(|reader| text.find(reader).map(|i| i + reader.len()))?;
    let args = &text[at..];
    let args = &args[..args.find(')').unwrap_or(args.len())];
    if text.starts_with("config(") || text.contains(" config(") {
        // decouple reads strings unless cast to bool.
        if !args.contains("cast=bool") {
            return None;
        }
    }
    let variable = args
        .split(',')
        .next()?
        .trim()
        .trim_matches(['"', '\''])
        .to_string();
    if variable.is_empty() || variable.contains(['(', ' ']) {
        return None;
    }
    let rest: Vec<String> = args
        .split(',')
        .skip(1)
        .map(|a| a.replace(' ', ""))
        .collect();
    let default = rest.iter().find_map(|a| match a.as_str() {
        "default=True" | "True" => Some(true),
        "default=False" | "False" => Some(false),
        _ => None,
    })?;
    Some((default, variable))
}

/// Whether a Python line sits in a branch chosen by a boolean environment
/// switch, and which: `(true, VARIABLE)` for the branch the switch takes
/// when the variable is unset, `(false, VARIABLE)` for the one an operator
/// opts into. The switch is read in the condition itself or in an
/// assignment of the condition's name (`SQLITE = env.bool("X",
/// default=True)` … `if SQLITE:`). The innermost such branch decides.
fn switch_branch(lines: &[&str], line: u32) -> Option<(bool, String)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    // `(taken by default, variable)` for an `if`/`elif` header.
    let header = |h: &str| -> Option<(bool, String)> {
        let condition = h
            .trim_start()
            .trim_start_matches("elif ")
            .trim_start_matches("if ")
            .trim_end()
            .trim_end_matches(':')
            .trim();
        let (negated, condition) = match condition.strip_prefix("not ") {
            Some(rest) => (true, rest.trim()),
            None => (false, condition),
        };
        let (default, variable) = env_bool_default(condition).or_else(|| {
            if !condition
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return None;
            }
            lines.iter().find_map(|l| {
                let (name, value) = l.split_once('=')?;
                (name.trim() == condition && !name.starts_with([' ', '\t']))
                    .then(|| env_bool_default(value.trim()))
                    .flatten()
            })
        })?;
        Some((default != negated, variable))
    };
    for (k, l) in enclosing_lines(lines, line) {
        let trimmed = l.trim_start();
        if trimmed.starts_with("if ") || trimmed.starts_with("elif ") {
            if let Some(found) = header(trimmed) {
                return Some(found);
            }
            continue;
        }
        if !(trimmed.starts_with("else:") || trimmed.starts_with("else :")) {
            continue;
        }
        let level = indent(l);
        let opening = (k.saturating_sub(400)..k)
            .rev()
            .map(|m| lines[m])
            .find(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#') && indent(l) <= level
            })
            .map(str::trim_start);
        // The `if` whose `else` this is: only a plain `if … else` (an
        // `elif` chain has branches this does not weigh).
        let Some(opening) = opening.filter(|t| t.starts_with("if ")) else {
            continue;
        };
        let mut before_else = (k.saturating_sub(400)..k)
            .rev()
            .map(|m| lines[m])
            .filter(|l| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#') && indent(l) <= level
            });
        if before_else
            .next()
            .is_some_and(|t| t.trim_start().starts_with("elif "))
        {
            continue;
        }
        if let Some((taken, variable)) = header(opening) {
            return Some((!taken, variable));
        }
    }
    None
}

fn in_test_block(lines: &[&str], line: u32) -> bool {
    enclosing_lines(lines, line).into_iter().any(|(_, l)| {
        let trimmed = l.trim_start();
        (trimmed.starts_with("if ") || trimmed.starts_with("elif ")) && {
            let lower = trimmed.to_ascii_lowercase();
            ["test", "pytest", "testing"]
                .iter()
                .any(|w| lower.contains(w))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::tokenize;

    #[test]
    fn sqlite_connection_strings_name_a_file() {
        let text = "{\n  \"Db\": \"Data Source=/var/lib/app/database.sqlite\",\n  \"Sql\": \"Data Source=db.example.com;Initial Catalog=App\",\n  // \"Old\": \"Data Source=old.db\"\n  \"Lite\": \"Filename=app.db;Cache=Shared\"\n}\n";
        let found = sqlite_connection_strings(text);
        assert_eq!(
            found,
            vec![
                ("Data Source=/var/lib/app/database.sqlite".to_string(), 2),
                ("Filename=app.db;Cache=Shared".to_string(), 5)
            ]
        );
    }

    #[test]
    fn sqlite_in_the_else_of_an_environment_test_is_a_fallback() {
        let src = "import os\nif 'DATABASE_URL' in os.environ:\n    import dj_database_url\n    DATABASES = {'default': dj_database_url.config()}\nelse:\n    DATABASES = {\n        'default': {\n            'ENGINE': 'django.db.backends.sqlite3',\n        }\n    }\n";
        let found = literals(&tokenize(src, Lang::Python), src, Lang::Python);
        assert_eq!(found.len(), 1);
        assert!(found[0].from_env_default);
        // The same literal under a test of something else is not.
        let other = src.replace("'DATABASE_URL' in os.environ", "USE_POSTGRES");
        let found = literals(&tokenize(&other, Lang::Python), &other, Lang::Python);
        assert!(!found[0].from_env_default);
        // Nor when SQLite is what the environment asks for.
        let asked = "import os\nif os.getenv('USE_SQLITE'):\n    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n";
        let found = literals(&tokenize(asked, Lang::Python), asked, Lang::Python);
        assert!(!found[0].from_env_default);
    }

    #[test]
    fn a_boolean_switch_defaulting_to_sqlite_makes_it_the_default() {
        let src = "import environ\nenv = environ.Env()\nSQLITE_DB = env.bool(\"USE_SQLITE\", default=True)\nif SQLITE_DB:\n    DATABASES = {\n        'default': {'ENGINE': 'django.db.backends.sqlite3'},\n    }\nelse:\n    DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n";
        let found = literals(&tokenize(src, Lang::Python), src, Lang::Python);
        assert_eq!(found.len(), 2);
        assert!(found[0].from_env_default);
        assert_eq!(found[0].default_switch.as_deref(), Some("USE_SQLITE"));
        assert!(found[1].when_env_set && !found[1].from_env_default);
        // Defaulting to False, the SQLite branch is the option.
        let off = src.replace("default=True", "default=False");
        let found = literals(&tokenize(&off, Lang::Python), &off, Lang::Python);
        assert!(found[0].when_env_set && found[0].default_switch.is_none());
        assert!(found[1].default_switch.is_some());
    }

    #[test]
    fn php_driver_values_are_read_from_driver_keys() {
        let src = "<?php\nreturn [\n    // pdo driver\n    'driver' => 'sqlite', // recommended: mysql, sqlite\n    'file' => root_dir('/storage/main.db'),\n    'host' => '[host]',\n];\n";
        let found = php_driver_values(&tokenize(src, Lang::Php));
        assert_eq!(found, vec![(Engine::Sqlite, "sqlite".to_string(), 4)]);
        // A list of connections names each engine it supports.
        let laravel = "<?php\nreturn ['connections' => [\n 'sqlite' => ['driver' => 'sqlite'],\n 'mysql' => ['driver' => 'mysql'],\n]];\n";
        let engines: Vec<Engine> = php_driver_values(&tokenize(laravel, Lang::Php))
            .into_iter()
            .map(|(e, _, _)| e)
            .collect();
        assert_eq!(engines, vec![Engine::Sqlite, Engine::Server]);
        // `'driver' => 'local'` (a filesystem disk) names no database.
        let disk = "<?php\nreturn ['disks' => ['local' => ['driver' => 'local']]];\n";
        assert!(php_driver_values(&tokenize(disk, Lang::Php)).is_empty());
    }

    #[test]
    fn sqlite_under_a_test_condition_is_test_only() {
        let src = "import sys\nif 'test' in sys.argv:\n    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\nelse:\n    DATABASES = {'default': dj_database_url.config()}\n";
        let found = literals(&tokenize(src, Lang::Python), src, Lang::Python);
        assert_eq!(found.len(), 1);
        assert!(found[0].test_only);
    }

    #[test]
    fn hard_coded_and_fallback_literals() {
        let src = "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.sqlite3',\n    }\n}\n# 'ENGINE': 'django.db.backends.postgresql'\nURL = os.getenv('DATABASE_URL', 'sqlite:///./app.db')\nOTHER = os.environ.get('X') or 'postgresql://localhost/db'\n";
        let found = literals(&tokenize(src, Lang::Python), src, Lang::Python);
        let summary: Vec<(Engine, u32, bool)> = found
            .iter()
            .map(|l| (l.engine, l.line, l.from_env_default))
            .collect();
        assert_eq!(
            summary,
            [
                (Engine::Sqlite, 3, false),
                (Engine::Sqlite, 7, true),
                (Engine::Server, 8, true)
            ]
        );
    }

    #[test]
    fn python_continued_fallback_and_engine_switches() {
        let src = "URI = os.environ.get('DATABASE_URL') or \\\n    'sqlite:///' + path\nENGINE = os.getenv('LD_DB_ENGINE', 'sqlite')\nif ENGINE == 'postgres':\n    pass\n";
        let found = literals(&tokenize(src, Lang::Python), src, Lang::Python);
        let summary: Vec<(Engine, u32, bool)> = found
            .iter()
            .map(|l| (l.engine, l.line, l.from_env_default))
            .collect();
        assert_eq!(
            summary,
            [(Engine::Sqlite, 2, true), (Engine::Sqlite, 3, true)]
        );
        let go = "viper.SetDefault(\"driver\", \"sqlite\")\ncfg := Database{Dialect: \"sqlite3\"}\nif dialect == \"sqlite3\" {}\n";
        let found = literals(&tokenize(go, Lang::CLike), go, Lang::CLike);
        let lines: Vec<(u32, bool)> = found.iter().map(|l| (l.line, l.from_env_default)).collect();
        assert_eq!(lines, [(1, true), (2, false)]);
        let php =
            "'sqlite' => ['driver' => 'sqlite'],\n'default' => env('DB_CONNECTION', 'mysql'),\n";
        let found = literals(&tokenize(php, Lang::Php), php, Lang::Php);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].engine, Engine::Server);
    }

    fn js(src: &str) -> Vec<(Engine, String, bool, bool, bool)> {
        literals(&tokenize(src, Lang::Js), src, Lang::Js)
            .into_iter()
            .map(|l| {
                (
                    l.engine,
                    l.text,
                    l.from_env_default,
                    l.test_only,
                    l.when_env_set,
                )
            })
            .collect()
    }

    #[test]
    fn javascript_roles() {
        let s = |t: &str| t.to_string();
        assert_eq!(
            js("import Database from 'better-sqlite3';\nconst db = new Database(':memory:');\n"),
            [(Engine::Sqlite, s("better-sqlite3"), false, false, false)]
        );
        assert_eq!(
            js("const client = createClient({ url: process.env.DATABASE_URL || \"file:local.db\" });\n"),
            [(Engine::Sqlite, s("file:local.db"), true, false, false)]
        );
        assert_eq!(
            js("module.exports = {\n  client: process.env.DATABASE_URL ? 'pg' : 'sqlite3',\n};\n"),
            [
                (Engine::Server, s("pg"), false, false, true),
                (Engine::Sqlite, s("sqlite3"), true, false, false)
            ]
        );
        assert_eq!(
            js("const client = process.env.NODE_ENV === 'test' ? 'sqlite3' : 'pg';\n"),
            [
                (Engine::Sqlite, s("sqlite3"), false, true, false),
                (Engine::Server, s("pg"), false, false, false)
            ]
        );
        assert_eq!(
            js("if (process.env.NODE_ENV === 'test') {\n  config = { client: 'sqlite3' };\n}\n"),
            [(Engine::Sqlite, s("sqlite3"), false, true, false)]
        );
        assert_eq!(
            js("const db = createClient({ url: 'libsql://shop-acme.turso.io', authToken });\nconst u = new URL('file:///etc/hosts');\n"),
            [(Engine::Server, s("libsql://shop-acme.turso.io"), false, false, false)]
        );
        assert_eq!(
            js("export default {\n  development: { url: 'file:dev.db' },\n  production: { url: process.env.DATABASE_URL },\n};\n"),
            [(Engine::Sqlite, s("file:dev.db"), false, true, false)]
        );
    }
}
