//! Container image references and the well-known images of backing
//! services (databases, caches, queues, proxies, admin tools): which ones
//! keep state, where, and on which port.

/// `ghcr.io/acme/web:1.2@sha256:…` → repository `acme/web`, tag `1.2`.
/// The registry host and Docker Hub's `library/` are dropped; the
/// repository is lower-cased.
pub fn parse_image(image: &str) -> (String, Option<String>) {
    let image = image.split('@').next().unwrap_or(image).trim();
    let mut segments: Vec<&str> = image.split('/').collect();
    if segments.len() > 1 {
        let first = segments[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            segments.remove(0);
        }
    }
    if segments.first() == Some(&"library") && segments.len() > 1 {
        segments.remove(0);
    }
    let last = segments.pop().unwrap_or("");
    let (name, tag) = match last.split_once(':') {
        Some((n, t)) => (n, Some(t.to_string())),
        None => (last, None),
    };
    segments.push(name);
    (segments.join("/").to_ascii_lowercase(), tag)
}

/// A database image: where it keeps its data and how it is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// `PostgreSQL`, `MySQL`, …
    pub engine: &'static str,
    /// Where the data lives (with the image's defaults).
    pub data_dir: String,
    /// The `VOLUME` the image declares over the data, if any: a mount
    /// above it leaves the data in an anonymous volume.
    pub image_volume: Option<String>,
    /// The variable that moves the data directory (`PGDATA`).
    pub data_env: Option<&'static str>,
    pub port: u16,
    /// Caches (Redis, Valkey): state is optional, kept only when
    /// persistence is configured.
    pub cache: bool,
    /// The data directory cannot be told from the image (an unknown major
    /// version): any mount near `data_dir` counts.
    pub data_dir_uncertain: bool,
}

struct Known {
    repos: &'static [&'static str],
    engine: &'static str,
    data_dir: &'static str,
    declares_volume: bool,
    port: u16,
    cache: bool,
}

const KNOWN: &[Known] = &[
    Known {
        repos: &[
            "mysql",
            "mysql/mysql-server",
            "percona",
            "percona/percona-server",
        ],
        engine: "MySQL",
        data_dir: "/var/lib/mysql",
        declares_volume: true,
        port: 3306,
        cache: false,
    },
    Known {
        repos: &["bitnami/mysql"],
        engine: "MySQL",
        data_dir: "/bitnami/mysql",
        declares_volume: false,
        port: 3306,
        cache: false,
    },
    Known {
        repos: &["mariadb"],
        engine: "MariaDB",
        data_dir: "/var/lib/mysql",
        declares_volume: true,
        port: 3306,
        cache: false,
    },
    Known {
        repos: &["bitnami/mariadb"],
        engine: "MariaDB",
        data_dir: "/bitnami/mariadb",
        declares_volume: false,
        port: 3306,
        cache: false,
    },
    Known {
        repos: &["mongo", "mongodb/mongodb-community-server"],
        engine: "MongoDB",
        data_dir: "/data/db",
        declares_volume: true,
        port: 27017,
        cache: false,
    },
    Known {
        repos: &["bitnami/mongodb"],
        engine: "MongoDB",
        data_dir: "/bitnami/mongodb",
        declares_volume: false,
        port: 27017,
        cache: false,
    },
    Known {
        repos: &["bitnami/postgresql"],
        engine: "PostgreSQL",
        data_dir: "/bitnami/postgresql",
        declares_volume: false,
        port: 5432,
        cache: false,
    },
    Known {
        repos: &["redis", "valkey/valkey", "valkey", "eqalpha/keydb"],
        engine: "Redis",
        data_dir: "/data",
        declares_volume: true,
        port: 6379,
        cache: true,
    },
    Known {
        repos: &[
            "clickhouse/clickhouse-server",
            "yandex/clickhouse-server",
            "clickhouse",
        ],
        engine: "ClickHouse",
        data_dir: "/var/lib/clickhouse",
        declares_volume: true,
        port: 8123,
        cache: false,
    },
    Known {
        repos: &["elasticsearch", "elasticsearch/elasticsearch"],
        engine: "Elasticsearch",
        data_dir: "/usr/share/elasticsearch/data",
        declares_volume: false,
        port: 9200,
        cache: false,
    },
    Known {
        repos: &["opensearchproject/opensearch"],
        engine: "OpenSearch",
        data_dir: "/usr/share/opensearch/data",
        declares_volume: false,
        port: 9200,
        cache: false,
    },
    Known {
        repos: &["cassandra", "bitnami/cassandra"],
        engine: "Cassandra",
        data_dir: "/var/lib/cassandra",
        declares_volume: true,
        port: 9042,
        cache: false,
    },
    Known {
        repos: &["neo4j"],
        engine: "Neo4j",
        data_dir: "/data",
        declares_volume: true,
        port: 7687,
        cache: false,
    },
    Known {
        repos: &["couchdb"],
        engine: "CouchDB",
        data_dir: "/opt/couchdb/data",
        declares_volume: true,
        port: 5984,
        cache: false,
    },
    Known {
        repos: &["getmeili/meilisearch"],
        engine: "Meilisearch",
        data_dir: "/meili_data",
        declares_volume: true,
        port: 7700,
        cache: false,
    },
    Known {
        repos: &["qdrant/qdrant"],
        engine: "Qdrant",
        data_dir: "/qdrant/storage",
        declares_volume: false,
        port: 6333,
        cache: false,
    },
    Known {
        repos: &["cockroachdb/cockroach"],
        engine: "CockroachDB",
        data_dir: "/cockroach/cockroach-data",
        declares_volume: false,
        port: 26257,
        cache: false,
    },
];

/// PostgreSQL images that follow the official image's layout (and so its
/// move of the data directory in 18).
const POSTGRES_LIKE: &[&str] = &[
    "postgres",
    "postgis/postgis",
    "pgvector/pgvector",
    "ankane/pgvector",
    "timescale/timescaledb",
    "supabase/postgres",
    "paradedb/paradedb",
    "tensorchord/pgvecto-rs",
];

/// The major PostgreSQL version a tag names: `17-alpine`, `16-3.4`
/// (PostGIS), `pg17`, `0.8.0-pg17`, `latest-pg16`.
fn postgres_major(repo: &str, tag: Option<&str>) -> Option<u32> {
    let tag = tag.unwrap_or("latest");
    if tag.contains('$') {
        return None;
    }
    if let Some(i) = tag.find("pg") {
        let digits: String = tag[i + 2..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse() {
            return Some(n);
        }
    }
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    if let Ok(n) = digits.parse::<u32>() {
        // `9.6` and `10`… are majors; image versions of extensions (`0.8.0`)
        // are not.
        return (n >= 9 && (repo == "postgres" || repo == "postgis/postgis")).then_some(n);
    }
    // `latest`, `alpine`, `bookworm`: the official image's latest is 18.
    (repo == "postgres" && !tag.chars().any(|c| c.is_ascii_digit())).then_some(18)
}

/// The database an image runs, if it is a well-known one.
pub fn database(image: &str) -> Option<Database> {
    let (repo, tag) = parse_image(image);
    if POSTGRES_LIKE.contains(&repo.as_str()) {
        let major = postgres_major(&repo, tag.as_deref());
        let (data_dir, volume) = match major {
            Some(m) if m >= 18 => (
                format!("/var/lib/postgresql/{m}/docker"),
                "/var/lib/postgresql",
            ),
            _ => (
                "/var/lib/postgresql/data".to_string(),
                "/var/lib/postgresql/data",
            ),
        };
        return Some(Database {
            engine: "PostgreSQL",
            data_dir,
            image_volume: major.map(|_| volume.to_string()),
            data_env: Some("PGDATA"),
            port: 5432,
            cache: false,
            data_dir_uncertain: major.is_none(),
        });
    }
    KNOWN
        .iter()
        .find(|k| k.repos.contains(&repo.as_str()))
        .map(|k| Database {
            engine: k.engine,
            data_dir: k.data_dir.to_string(),
            image_volume: k.declares_volume.then(|| k.data_dir.to_string()),
            data_env: None,
            port: k.port,
            cache: k.cache,
            data_dir_uncertain: false,
        })
}

/// Images of services that are not the application: databases, caches,
/// queues, mail catchers, admin consoles, proxies, telemetry.
const BACKING: &[&str] = &[
    "adminer",
    "amazon/dynamodb-local",
    "apache/kafka",
    "axllent/mailpit",
    "azure-storage/azurite",
    "bitnami/kafka",
    "bitnami/pgbouncer",
    "bitnami/rabbitmq",
    "bitnami/redis",
    "bitnami/zookeeper",
    "caddy",
    "confluentinc/cp-kafka",
    "confluentinc/cp-zookeeper",
    "containrrr/watchtower",
    "dpage/pgadmin4",
    "edoburu/pgbouncer",
    "elasticsearch/kibana",
    "grafana/grafana",
    "grafana/loki",
    "grafana/tempo",
    "haproxy",
    "inbucket/inbucket",
    "jaegertracing/all-in-one",
    "kibana",
    "kibana/kibana",
    "localstack/localstack",
    "maildev/maildev",
    "mailhog/mailhog",
    "memcached",
    "minio/mc",
    "minio/minio",
    "mongo-express",
    "nats",
    "nginx",
    "nginxproxy/acme-companion",
    "nginxproxy/nginx-proxy",
    "jwilder/nginx-proxy",
    "openzipkin/zipkin",
    "otel/opentelemetry-collector",
    "otel/opentelemetry-collector-contrib",
    "pgbouncer/pgbouncer",
    "phpmyadmin",
    "phpmyadmin/phpmyadmin",
    "portainer/portainer-ce",
    "prom/prometheus",
    "rabbitmq",
    "redis/redis-stack",
    "redis/redis-stack-server",
    "redis/redisinsight",
    "rediscommander/redis-commander",
    "redislabs/redisinsight",
    "schickling/mailcatcher",
    "traefik",
    "zookeeper",
];

/// What kind of backing service an image is, if it is one.
pub fn backing_service(image: &str) -> Option<&'static str> {
    if let Some(db) = database(image) {
        return Some(db.engine);
    }
    let (repo, _) = parse_image(image);
    BACKING
        .iter()
        .find(|b| **b == repo || (repo.starts_with("nginx") && **b == "nginx"))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        assert_eq!(
            parse_image("ghcr.io/acme/web:1.2@sha256:abc"),
            ("acme/web".to_string(), Some("1.2".to_string()))
        );
        assert_eq!(parse_image("postgres"), ("postgres".to_string(), None));
        assert_eq!(
            parse_image("docker.io/library/postgres:16"),
            ("postgres".to_string(), Some("16".to_string()))
        );
        assert_eq!(parse_image("localhost:5000/app").0, "app".to_string());
    }

    #[test]
    fn postgres_versions_decide_the_data_directory() {
        let old = database("postgres:16-alpine").expect("db");
        assert_eq!(old.data_dir, "/var/lib/postgresql/data");
        let new = database("postgres:18").expect("db");
        assert_eq!(new.image_volume.as_deref(), Some("/var/lib/postgresql"));
        let latest = database("postgres").expect("db");
        assert_eq!(latest.image_volume.as_deref(), Some("/var/lib/postgresql"));
        let vector = database("pgvector/pgvector:pg16").expect("db");
        assert_eq!(vector.data_dir, "/var/lib/postgresql/data");
        assert!(
            database("pgvector/pgvector:0.8.0")
                .expect("db")
                .data_dir_uncertain
        );
        assert!(
            database("postgres:${PG_VERSION}")
                .expect("db")
                .data_dir_uncertain
        );
        assert_eq!(
            database("postgis/postgis:16-3.4").map(|d| d.data_dir),
            Some("/var/lib/postgresql/data".to_string())
        );
    }

    #[test]
    fn knows_backing_services() {
        assert_eq!(backing_service("redis:7"), Some("Redis"));
        assert_eq!(backing_service("nginx:alpine"), Some("nginx"));
        assert_eq!(backing_service("ghcr.io/acme/web"), None);
    }
}
