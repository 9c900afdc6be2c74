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
    /// (`if "test" in sys.argv:`, `if TESTING:`).
    pub test_only: bool,
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
    ];
    if SQLITE.contains(&s.as_str())
        || s.starts_with("sqlite:")
        || s.starts_with("sqlite+")
        || s.starts_with("jdbc:sqlite:")
    {
        return Some(Engine::Sqlite);
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
    "str",
    "url",
];

/// Keys whose value names the database engine by a bare word (`'sqlite'`,
/// `'pgsql'`): Laravel's `'default' => env('DB_CONNECTION', 'sqlite')`, knex
/// `client`, Sequelize `dialect`, TypeORM `type`, Rails-style `adapter`.
const CONNECTION_KEYS: &[&str] = &[
    "DB_CONNECTION",
    "ENGINE",
    "adapter",
    "client",
    "default",
    "dialect",
    "type",
];

fn bare_engine(word: &str) -> Option<Engine> {
    match word {
        "sqlite" | "sqlite3" | "better-sqlite3" => Some(Engine::Sqlite),
        "pgsql" | "pg" | "postgres" | "postgresql" | "mysql" | "mysql2" | "mariadb" | "sqlsrv"
        | "mssql" | "oracle" => Some(Engine::Server),
        _ => None,
    }
}

pub fn literals(tokens: &[Spanned], text: &str, lang: Lang) -> Vec<DatabaseLiteral> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        let Token::Str(text) = &tok.token else {
            continue;
        };
        let keyed = || {
            tokens[..i]
                .iter()
                .rev()
                .take_while(|t| t.line == tok.line)
                .take(32)
                .any(|t| matches!(&t.token, Token::Str(k) | Token::Ident(k) if CONNECTION_KEYS.contains(&k.as_str())))
        };
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
        let test_only = lang == Lang::Python && in_test_block(&lines, tok.line);
        out.push(DatabaseLiteral {
            engine,
            text: text.clone(),
            line: tok.line,
            from_env_default,
            test_only,
        });
    }
    out
}

/// Python: whether the line sits in an `if`/`elif` block whose condition
/// is about tests, judged by indentation.
fn in_test_block(lines: &[&str], line: u32) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let at = line.saturating_sub(1) as usize;
    let Some(own) = lines.get(at) else {
        return false;
    };
    let mut level = indent(own);
    // A block header is near; a bounded look-back keeps this linear.
    for l in lines[..at].iter().rev().take(400) {
        let trimmed = l.trim_start();
        if level == 0 {
            break;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || indent(l) >= level {
            continue;
        }
        level = indent(l);
        if trimmed.starts_with("if ") || trimmed.starts_with("elif ") {
            let lower = trimmed.to_ascii_lowercase();
            if ["test", "pytest", "testing"]
                .iter()
                .any(|w| lower.contains(w))
            {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::tokenize;

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
}
