//! What the fix generators need to know about an app: package manager and
//! lockfile, framework and versions, ORM and provider, the services it uses,
//! the variables its env example declares. Read from the audit's facts and,
//! for files earlier plans changed, from the tree.

use serde_json::Value;

use super::{Intents, Tree};
use crate::facts::EnvFile;
use crate::index::FileKind;
use crate::rules::AppContext;
use crate::stack::Framework;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Npm,
    Yarn,
    Pnpm,
    Bun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database {
    Postgres,
    Mysql,
    Sqlite,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisClient {
    Ioredis,
    NodeRedis,
    /// Python or another ecosystem's client.
    Other,
}

/// A major.minor version read from a range (`^6.4.1`) or a lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// The lowest version a range allows: `^6.4.1` → 6.4, `~15.2` → 15.2,
    /// `>=14` → 14.0. Tags (`latest`, `canary`) and `*` say nothing.
    pub fn from_range(range: &str) -> Option<Version> {
        let start = range.find(|c: char| c.is_ascii_digit())?;
        let prefix = range[..start].trim();
        if !prefix
            .chars()
            .all(|c| matches!(c, '^' | '~' | '>' | '=' | 'v' | ' '))
        {
            return None;
        }
        let mut parts = range[start..]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some(Version { major, minor })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone)]
pub struct Prisma {
    /// schema.prisma, relative to the root.
    pub schema: String,
    pub provider: Option<String>,
    pub version: Option<Version>,
    /// The version spec for installing the same CLI (`6.4.1` from the
    /// lockfile, else the manifest's range).
    pub cli_spec: String,
    /// A module of the app that exports a client: (path relative to the
    /// root, exported name).
    pub client_module: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Profile {
    /// "." for a root app.
    pub app_path: String,
    /// "" for a root app.
    pub dir: String,
    /// A DNS-safe name for images, services and resources.
    pub name: String,
    pub framework: Framework,
    pub manager: PackageManager,
    /// The lockfile, relative to the app folder.
    pub lockfile: Option<String>,
    pub package_json: Option<Value>,
    pub package_version: Option<String>,
    pub next: Option<Version>,
    pub prisma: Option<Prisma>,
    pub database: Database,
    pub redis: Option<RedisClient>,
    /// The env example, relative to the root, and its variables in order.
    pub env_example: Option<String>,
    pub env_vars: Vec<(String, String)>,
    /// Next.js: `app` or `src/app` when the App Router is used.
    pub app_router: Option<String>,
    /// Next.js: `pages` or `src/pages`.
    pub pages_router: Option<String>,
    pub typescript: bool,
    /// next.config.*, relative to the app folder.
    pub next_config: Option<String>,
    /// The `@/` import alias and the folder it maps to ("" or "src").
    pub alias_root: Option<String>,
    pub port: u16,
    /// Liveness and readiness paths, when the app has (or this run adds) them.
    pub health: Option<(String, String)>,
    pub dependencies: std::collections::BTreeSet<String>,
    /// The app's source files (relative to the root), outside tests.
    pub sources: Vec<String>,
}

impl Profile {
    pub fn load(cx: &AppContext, tree: &Tree, intents: &Intents) -> Result<Profile, String> {
        let app = cx.app;
        let dir = app.dir().to_string();
        let join = |rel: &str| crate::apps::join(&dir, rel);
        let manifest_rel = cx.repo.index.get(app.manifest).rel.clone();
        let package_json: Option<Value> = manifest_rel
            .ends_with("package.json")
            .then(|| tree.read(&manifest_rel))
            .flatten()
            .and_then(|t| serde_json::from_str(&t).ok());
        let dep_range = |name: &str| -> Option<String> {
            let pkg = package_json.as_ref()?;
            ["dependencies", "devDependencies"]
                .iter()
                .find_map(|s| pkg.get(s)?.get(name)?.as_str().map(str::to_string))
        };
        let lock: Option<Value> = tree
            .read(&join("package-lock.json"))
            .and_then(|t| serde_json::from_str(&t).ok());
        let locked = |name: &str| -> Option<String> {
            let lock = lock.as_ref()?;
            lock.get("packages")
                .and_then(|p| p.get(format!("node_modules/{name}")))
                .or_else(|| lock.get("dependencies").and_then(|d| d.get(name)))
                .and_then(|p| p.get("version"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let version_of = |name: &str| -> Option<Version> {
            locked(name)
                .as_deref()
                .and_then(Version::from_range)
                .or_else(|| dep_range(name).as_deref().and_then(Version::from_range))
        };

        let (manager, lockfile) = [
            ("pnpm-lock.yaml", PackageManager::Pnpm),
            ("yarn.lock", PackageManager::Yarn),
            ("package-lock.json", PackageManager::Npm),
            ("npm-shrinkwrap.json", PackageManager::Npm),
            ("bun.lock", PackageManager::Bun),
            ("bun.lockb", PackageManager::Bun),
        ]
        .iter()
        .find(|(f, _)| tree.exists(&join(f)))
        .map(|(f, m)| (*m, Some(f.to_string())))
        .unwrap_or((PackageManager::Npm, None));

        let name_source = package_json
            .as_ref()
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| app.name.clone())
            .or_else(|| {
                dir.rsplit('/')
                    .next()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
            })
            .or_else(|| {
                std::fs::canonicalize(tree.root())
                    .ok()
                    .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_default();
        let name = dns_name(&name_source);

        // Env example: the app's own, else the root's.
        let env_example = cx
            .repo
            .index
            .of_kind(FileKind::EnvExample)
            .iter()
            .map(|id| cx.repo.index.get(*id).rel.clone())
            .filter(|rel| !crate::apps::is_non_product_path(rel))
            .filter(|rel| {
                let d = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                d == dir
            })
            .chain(
                cx.repo
                    .index
                    .of_kind(FileKind::EnvExample)
                    .iter()
                    .map(|id| cx.repo.index.get(*id).rel.clone())
                    .filter(|rel| !rel.contains('/')),
            )
            .next();
        let env_vars: Vec<(String, String)> = env_example
            .as_ref()
            .and_then(|p| tree.read(p))
            .map(|t| {
                EnvFile::parse(&t)
                    .vars
                    .into_iter()
                    .map(|v| (v.name, v.value))
                    .collect()
            })
            .unwrap_or_default();

        let prisma = load_prisma(cx, tree, &join, &dep_range, &locked, &version_of);
        let next_version = version_of("next");
        let moved = intents.moved_to_postgres(&app.path);
        let provider = prisma.as_ref().and_then(|p| p.provider.clone());
        let has = |d: &str| app.has_dependency(d);
        let database = if moved {
            Database::Postgres
        } else if let Some(p) = provider.as_deref() {
            match p {
                "postgresql" | "postgres" | "cockroachdb" => Database::Postgres,
                "mysql" => Database::Mysql,
                "sqlite" => Database::Sqlite,
                _ => Database::None,
            }
        } else if [
            "pg",
            "postgres",
            "psycopg2",
            "psycopg2-binary",
            "psycopg",
            "asyncpg",
        ]
        .iter()
        .any(|d| has(d))
        {
            Database::Postgres
        } else if ["mysql2", "mysql", "mysqlclient", "pymysql"]
            .iter()
            .any(|d| has(d))
        {
            Database::Mysql
        } else if ["better-sqlite3", "sqlite3"].iter().any(|d| has(d)) {
            Database::Sqlite
        } else {
            Database::None
        };
        let redis = if has("ioredis") {
            Some(RedisClient::Ioredis)
        } else if has("redis") && app.ecosystem == crate::stack::Ecosystem::Node {
            Some(RedisClient::NodeRedis)
        } else if has("redis") || has("django-redis") {
            Some(RedisClient::Other)
        } else {
            None
        };

        let dir_has = |rel: &str| tree.dir_exists(&join(rel));
        let app_router = ["src/app", "app"]
            .iter()
            .find(|d| dir_has(d))
            .map(|d| d.to_string());
        let pages_router = ["src/pages", "pages"]
            .iter()
            .find(|d| dir_has(d))
            .map(|d| d.to_string());
        let typescript = tree.exists(&join("tsconfig.json"));
        let next_config = [
            "next.config.ts",
            "next.config.mjs",
            "next.config.js",
            "next.config.cjs",
            "next.config.mts",
        ]
        .iter()
        .find(|f| tree.exists(&join(f)))
        .map(|f| f.to_string());
        let alias_root = tree
            .read(&join("tsconfig.json"))
            .or_else(|| tree.read(&join("jsconfig.json")))
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| {
                let target = v
                    .get("compilerOptions")?
                    .get("paths")?
                    .get("@/*")?
                    .get(0)?
                    .as_str()?
                    .to_string();
                match target.trim_start_matches("./") {
                    "*" => Some(String::new()),
                    "src/*" => Some("src".to_string()),
                    _ => None,
                }
            });
        let start = package_json
            .as_ref()
            .and_then(|p| p.get("scripts")?.get("start")?.as_str().map(str::to_string));
        let port = start
            .as_deref()
            .and_then(port_of)
            .unwrap_or(match app.framework() {
                Framework::Django => 8000,
                _ => 3000,
            });
        let health = intents
            .health_paths(&app.path)
            .map(|(l, r)| (l.to_string(), r.to_string()));

        let next = next_version;
        Ok(Profile {
            app_path: app.path.clone(),
            dir,
            name,
            framework: app.framework(),
            manager,
            lockfile,
            package_version: package_json
                .as_ref()
                .and_then(|p| p.get("version")?.as_str().map(str::to_string)),
            package_json,
            next,
            prisma,
            database,
            redis,
            env_example,
            env_vars,
            app_router,
            pages_router,
            typescript,
            next_config,
            alias_root,
            port,
            health,
            dependencies: app.dependencies.clone(),
            sources: cx
                .source_files()
                .into_iter()
                .map(|id| cx.repo.index.get(id).rel.clone())
                .collect(),
        })
    }

    /// A path inside the app folder, relative to the root.
    pub fn join(&self, rel: &str) -> String {
        crate::apps::join(&self.dir, rel)
    }

    pub fn has_dependency(&self, name: &str) -> bool {
        self.dependencies.contains(name)
    }

    pub fn script(&self, name: &str) -> Option<&str> {
        self.package_json
            .as_ref()?
            .get("scripts")?
            .get(name)?
            .as_str()
    }

    pub fn declares(&self, var: &str) -> bool {
        self.env_vars.iter().any(|(n, _)| n == var)
    }

    /// Runtime variables that are secrets or settings (not `NEXT_PUBLIC_*`,
    /// which are inlined at build time).
    pub fn runtime_vars(&self) -> Vec<&str> {
        self.env_vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.starts_with("NEXT_PUBLIC_"))
            .collect()
    }

    pub fn public_vars(&self) -> Vec<&str> {
        self.env_vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with("NEXT_PUBLIC_"))
            .collect()
    }

    /// The command that runs a package binary (`npx prisma`).
    pub fn exec(&self) -> &'static str {
        match self.manager {
            PackageManager::Npm => "npx",
            PackageManager::Yarn => "yarn",
            PackageManager::Pnpm => "pnpm exec",
            PackageManager::Bun => "bunx",
        }
    }

    pub fn install_command(&self) -> &'static str {
        match self.manager {
            PackageManager::Npm => "npm install",
            PackageManager::Yarn => "yarn install",
            PackageManager::Pnpm => "pnpm install",
            PackageManager::Bun => "bun install",
        }
    }

    pub fn uses_postgres(&self) -> bool {
        self.database == Database::Postgres
    }

    /// An import specifier for `target` (a path relative to the root,
    /// without extension) from the file `from`: `@/lib/db` when the alias
    /// covers it, else a relative path.
    pub fn import_path(&self, from: &str, target: &str) -> String {
        let target = target
            .trim_end_matches(".ts")
            .trim_end_matches(".tsx")
            .trim_end_matches(".js")
            .trim_end_matches(".mjs");
        let in_app = |p: &str| -> String {
            if self.dir.is_empty() {
                p.to_string()
            } else {
                p.strip_prefix(&format!("{}/", self.dir))
                    .unwrap_or(p)
                    .to_string()
            }
        };
        let inner = in_app(target);
        if let Some(root) = &self.alias_root {
            let rest = if root.is_empty() {
                Some(inner.as_str())
            } else {
                inner.strip_prefix(&format!("{root}/"))
            };
            if let Some(rest) = rest {
                return format!("@/{rest}");
            }
        }
        relative_import(from, target)
    }
}

/// `./x` / `../../x` from the folder of `from` to `target`.
pub fn relative_import(from: &str, target: &str) -> String {
    let from_dir: Vec<&str> = from
        .rsplit_once('/')
        .map(|(d, _)| d.split('/').collect())
        .unwrap_or_default();
    let to: Vec<&str> = target.split('/').collect();
    let common = from_dir
        .iter()
        .zip(to.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from_dir.len() - common;
    let rest = to[common..].join("/");
    if ups == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(ups))
    }
}

fn load_prisma(
    cx: &AppContext,
    tree: &Tree,
    join: &dyn Fn(&str) -> String,
    dep_range: &dyn Fn(&str) -> Option<String>,
    locked: &dyn Fn(&str) -> Option<String>,
    version_of: &dyn Fn(&str) -> Option<Version>,
) -> Option<Prisma> {
    if !cx.app.has_dependency("prisma") && !cx.app.has_dependency("@prisma/client") {
        return None;
    }
    let schema = cx
        .files_of_kind(FileKind::PrismaSchema)
        .map(|id| cx.repo.index.get(id).rel.clone())
        .find(|rel| rel.ends_with("schema.prisma"))
        .or_else(|| {
            let p = join("prisma/schema.prisma");
            tree.exists(&p).then_some(p)
        })?;
    let provider = tree
        .read(&schema)
        .and_then(|t| crate::facts::PrismaSchema::parse(&t).ok())
        .and_then(|s| {
            s.datasources
                .first()
                .and_then(|d| d.provider.as_ref())
                .and_then(|p| p.value.as_literal().map(str::to_string))
        });
    let version = version_of("prisma").or_else(|| version_of("@prisma/client"));
    let cli_spec = locked("prisma")
        .or_else(|| dep_range("prisma"))
        .or_else(|| locked("@prisma/client"))
        .or_else(|| dep_range("@prisma/client"))
        .unwrap_or_else(|| "latest".to_string());
    // A module of the app's own that creates and exports a client.
    let client_module = cx.source_files().into_iter().find_map(|id| {
        let rel = cx.repo.index.get(id).rel.clone();
        if rel.contains("/api/") || rel.contains("/app/") || rel.contains("/pages/") {
            return None;
        }
        let text = tree.read(&rel)?;
        if !text.contains("new PrismaClient") {
            return None;
        }
        ["prisma", "db", "client"]
            .iter()
            .find(|name| {
                text.contains(&format!("export const {name} "))
                    || text.contains(&format!("export const {name}="))
                    || text.contains(&format!("export const {name}:"))
            })
            .map(|name| (rel, name.to_string()))
    });
    Some(Prisma {
        schema,
        provider,
        version,
        cli_spec,
        client_module,
    })
}

/// The port of `next start -p 3000`, `--port 3000`, `PORT=3000 …`.
fn port_of(script: &str) -> Option<u16> {
    let words: Vec<&str> = script.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "-p" || *w == "--port" {
            return words.get(i + 1)?.parse().ok();
        }
        if let Some(v) = w
            .strip_prefix("--port=")
            .or_else(|| w.strip_prefix("PORT="))
        {
            return v.parse().ok();
        }
    }
    None
}

/// Lowercase letters, digits and dashes, as Kubernetes and Fly names need.
pub fn dns_name(name: &str) -> String {
    let base = name.rsplit('/').next().unwrap_or(name);
    let mut out = String::new();
    for c in base.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    let out: String = out.chars().take(40).collect();
    if out.is_empty() {
        "app".to_string()
    } else {
        out.trim_end_matches('-').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_ranges() {
        assert_eq!(
            Version::from_range("^6.4.1"),
            Some(Version { major: 6, minor: 4 })
        );
        assert_eq!(
            Version::from_range("15.2.4"),
            Some(Version {
                major: 15,
                minor: 2
            })
        );
        assert_eq!(
            Version::from_range(">=14"),
            Some(Version {
                major: 14,
                minor: 0
            })
        );
        assert_eq!(Version::from_range("latest"), None);
        assert_eq!(Version::from_range("workspace:*"), None);
    }

    #[test]
    fn imports_and_names() {
        assert_eq!(
            relative_import("app/api/health/ready/route.ts", "lib/db"),
            "../../../../lib/db"
        );
        assert_eq!(relative_import("server.js", "health"), "./health");
        assert_eq!(dns_name("@acme/Store_Front"), "store-front");
        assert_eq!(port_of("next start -p 3000"), Some(3000));
    }
}
