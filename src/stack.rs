//! What seaworthy knows about stacks: web frameworks, ORMs and the services an
//! app talks to, each recognised by the packages that bring it.

/// The language ecosystem of an app: where its dependencies are declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Node,
    Python,
    Ruby,
    Php,
    Java,
    Go,
    Rust,
    /// .NET: `*.csproj`/`*.fsproj` projects (ASP.NET Core).
    Dotnet,
    /// Elixir: `mix.exs` projects (Phoenix).
    Elixir,
}

impl Ecosystem {
    /// The source files whose code registers routes for this ecosystem.
    pub fn source_lang(self) -> Option<crate::facts::code::Lang> {
        use crate::facts::code::Lang;
        Some(match self {
            Ecosystem::Node => Lang::Js,
            Ecosystem::Python => Lang::Python,
            Ecosystem::Ruby => Lang::Ruby,
            Ecosystem::Php => Lang::Php,
            Ecosystem::Java | Ecosystem::Go | Ecosystem::Dotnet => Lang::CLike,
            Ecosystem::Rust => Lang::Rust,
            // Elixir is lexed like Ruby: `#` comments, quoted strings,
            // `get "/path"` calls without parentheses.
            Ecosystem::Elixir => Lang::Ruby,
        })
    }

    /// File extensions of the ecosystem's own source (CLike covers several).
    pub fn source_extensions(self) -> &'static [&'static str] {
        match self {
            Ecosystem::Node => &["js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"],
            Ecosystem::Python => &["py"],
            Ecosystem::Ruby => &["rb", "ru"],
            Ecosystem::Php => &["php"],
            Ecosystem::Java => &["java", "kt", "groovy", "scala"],
            Ecosystem::Go => &["go"],
            Ecosystem::Rust => &["rs"],
            Ecosystem::Dotnet => &["cs"],
            Ecosystem::Elixir => &["ex", "exs"],
        }
    }
}

/// A web framework: the reason an app serves HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Framework {
    NextJs,
    Nuxt,
    Remix,
    ReactRouter,
    SvelteKit,
    Astro,
    NestJs,
    Express,
    Fastify,
    Koa,
    Hono,
    Hapi,
    AdonisJs,
    Feathers,
    Restify,
    Django,
    FastApi,
    Flask,
    Starlette,
    Litestar,
    Sanic,
    Falcon,
    Quart,
    Pyramid,
    Bottle,
    Tornado,
    /// A WSGI app on Werkzeug alone (`run_simple`, `Request.application`).
    Werkzeug,
    Rails,
    Sinatra,
    Hanami,
    Roda,
    Grape,
    Laravel,
    Symfony,
    Slim,
    /// PHP without a framework: a front controller (`index.php`) and the
    /// app's own router, found by `composer.json` or an `index.php` beside
    /// the app's code.
    PlainPhp,
    SpringBoot,
    Quarkus,
    Micronaut,
    /// A Java web archive (WAR) deployed into a servlet container (Tomcat,
    /// Jetty, GlassFish): servlets, JAX-RS (Jersey, RESTEasy) or Spring MVC
    /// without Spring Boot.
    JavaServlet,
    Gin,
    Echo,
    Chi,
    Fiber,
    GorillaMux,
    HttpRouter,
    /// Go's standard library server, found by `ListenAndServe` in `main`.
    NetHttp,
    /// Node's `http.createServer(…).listen(…)` without a framework.
    NodeHttp,
    Axum,
    ActixWeb,
    Rocket,
    Warp,
    Poem,
    Salvo,
    /// ASP.NET Core: a project on the Web SDK (`Microsoft.NET.Sdk.Web`).
    AspNetCore,
    Phoenix,
    /// A long-running program with no web framework (a worker, a bot, a
    /// scheduler, a gRPC server): audited only by the rules that concern
    /// any production process (`rules::WORKER_RULES`).
    Daemon,
}

/// Frameworks of the other ecosystems, by the dependency that brings them
/// (normalised as each manifest parser stores names).
const OTHER_FRAMEWORKS: &[(Framework, Ecosystem, &[&str])] = &[
    // Wagtail, Mezzanine and django CMS are Django apps: a project may
    // name only them (Poetry's `wagtail = "~2.15"`).
    (
        Framework::Django,
        Ecosystem::Python,
        &["django", "wagtail", "mezzanine", "django-cms"],
    ),
    (Framework::FastApi, Ecosystem::Python, &["fastapi"]),
    (Framework::Flask, Ecosystem::Python, &["flask"]),
    (Framework::Litestar, Ecosystem::Python, &["litestar"]),
    (Framework::Sanic, Ecosystem::Python, &["sanic"]),
    (Framework::Falcon, Ecosystem::Python, &["falcon"]),
    (Framework::Quart, Ecosystem::Python, &["quart"]),
    (Framework::Pyramid, Ecosystem::Python, &["pyramid"]),
    (Framework::Bottle, Ecosystem::Python, &["bottle"]),
    (Framework::Tornado, Ecosystem::Python, &["tornado"]),
    (Framework::Starlette, Ecosystem::Python, &["starlette"]),
    // Last: Flask and others depend on it; alone it is an app only when a
    // module starts it (`apps::runs_as_app`).
    (Framework::Werkzeug, Ecosystem::Python, &["werkzeug"]),
    (Framework::Rails, Ecosystem::Ruby, &["rails", "railties"]),
    (Framework::Hanami, Ecosystem::Ruby, &["hanami"]),
    (Framework::Grape, Ecosystem::Ruby, &["grape"]),
    (Framework::Sinatra, Ecosystem::Ruby, &["sinatra"]),
    (Framework::Roda, Ecosystem::Ruby, &["roda"]),
    (
        Framework::Laravel,
        Ecosystem::Php,
        &["laravel/framework", "laravel/lumen-framework"],
    ),
    (
        Framework::Symfony,
        Ecosystem::Php,
        // Symfony 2–3 apps required the whole framework as one package.
        &["symfony/framework-bundle", "symfony/symfony"],
    ),
    (Framework::Slim, Ecosystem::Php, &["slim/slim"]),
    (
        Framework::SpringBoot,
        Ecosystem::Java,
        &[
            "org.springframework.boot:spring-boot-starter-web",
            "org.springframework.boot:spring-boot-starter-webmvc",
            "org.springframework.boot:spring-boot-starter-webflux",
            "org.springframework.boot:spring-boot-starter-jersey",
        ],
    ),
    (
        Framework::Quarkus,
        Ecosystem::Java,
        &[
            "io.quarkus:quarkus-rest",
            "io.quarkus:quarkus-rest-jackson",
            "io.quarkus:quarkus-resteasy",
            "io.quarkus:quarkus-resteasy-reactive",
            "io.quarkus:quarkus-resteasy-jackson",
            "io.quarkus:quarkus-resteasy-reactive-jackson",
            "io.quarkus:quarkus-vertx-http",
        ],
    ),
    (
        Framework::Micronaut,
        Ecosystem::Java,
        &["io.micronaut:micronaut-http-server-netty"],
    ),
    (Framework::Gin, Ecosystem::Go, &["github.com/gin-gonic/gin"]),
    (
        Framework::Echo,
        Ecosystem::Go,
        &[
            "github.com/labstack/echo/v4",
            "github.com/labstack/echo/v5",
            "github.com/labstack/echo",
        ],
    ),
    (
        Framework::Fiber,
        Ecosystem::Go,
        &["github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3"],
    ),
    (
        Framework::Chi,
        Ecosystem::Go,
        &["github.com/go-chi/chi/v5", "github.com/go-chi/chi"],
    ),
    (
        Framework::GorillaMux,
        Ecosystem::Go,
        &["github.com/gorilla/mux"],
    ),
    (
        Framework::HttpRouter,
        Ecosystem::Go,
        &["github.com/julienschmidt/httprouter"],
    ),
    (Framework::Axum, Ecosystem::Rust, &["axum"]),
    (Framework::ActixWeb, Ecosystem::Rust, &["actix-web"]),
    (Framework::Rocket, Ecosystem::Rust, &["rocket"]),
    (Framework::Warp, Ecosystem::Rust, &["warp"]),
    (Framework::Poem, Ecosystem::Rust, &["poem"]),
    (Framework::Salvo, Ecosystem::Rust, &["salvo"]),
    // The project's SDK is stored as a dependency by the project parser
    // (`facts::manifest`); before .NET Core 3 the web framework came as
    // packages. NuGet names are case-insensitive: stored lower-cased.
    (
        Framework::AspNetCore,
        Ecosystem::Dotnet,
        &[
            "microsoft.net.sdk.web",
            "microsoft.aspnetcore.app",
            "microsoft.aspnetcore.all",
            "microsoft.aspnetcore",
        ],
    ),
    (Framework::Phoenix, Ecosystem::Elixir, &["phoenix"]),
];

/// The web frameworks an ecosystem's dependencies bring, primary first.
pub fn other_frameworks(
    ecosystem: Ecosystem,
    mut has: impl FnMut(&str) -> bool,
) -> Vec<(Framework, &'static str)> {
    OTHER_FRAMEWORKS
        .iter()
        .filter(|(_, e, _)| *e == ecosystem)
        .filter_map(|(f, _, pkgs)| pkgs.iter().find(|p| has(p)).map(|p| (*f, *p)))
        .collect()
}

/// (framework, the npm packages that mean it). Order matters: the first match
/// is the app's primary framework, so meta-frameworks come before the
/// servers they are built on (NestJS before Express, Remix before Express).
const NPM_FRAMEWORKS: &[(Framework, &[&str])] = &[
    (Framework::NextJs, &["next"]),
    (Framework::Nuxt, &["nuxt", "nuxt3"]),
    (
        Framework::Remix,
        &["@remix-run/node", "@remix-run/serve", "@remix-run/express"],
    ),
    (
        Framework::ReactRouter,
        &[
            "@react-router/node",
            "@react-router/serve",
            "@react-router/express",
        ],
    ),
    (Framework::SvelteKit, &["@sveltejs/kit"]),
    (Framework::Astro, &["@astrojs/node"]),
    (Framework::NestJs, &["@nestjs/core"]),
    (Framework::AdonisJs, &["@adonisjs/core"]),
    (Framework::Feathers, &["@feathersjs/feathers"]),
    (Framework::Express, &["express"]),
    (Framework::Fastify, &["fastify"]),
    (Framework::Koa, &["koa"]),
    (Framework::Hono, &["hono"]),
    (Framework::Hapi, &["@hapi/hapi", "hapi"]),
    (Framework::Restify, &["restify"]),
];

impl Framework {
    pub fn id(self) -> &'static str {
        match self {
            Framework::NextJs => "nextjs",
            Framework::Nuxt => "nuxt",
            Framework::Remix => "remix",
            Framework::ReactRouter => "react-router",
            Framework::SvelteKit => "sveltekit",
            Framework::Astro => "astro",
            Framework::NestJs => "nestjs",
            Framework::Express => "express",
            Framework::Fastify => "fastify",
            Framework::Koa => "koa",
            Framework::Hono => "hono",
            Framework::Hapi => "hapi",
            Framework::AdonisJs => "adonisjs",
            Framework::Feathers => "feathers",
            Framework::Restify => "restify",
            Framework::Django => "django",
            Framework::FastApi => "fastapi",
            Framework::Flask => "flask",
            Framework::Starlette => "starlette",
            Framework::Litestar => "litestar",
            Framework::Sanic => "sanic",
            Framework::Falcon => "falcon",
            Framework::Quart => "quart",
            Framework::Pyramid => "pyramid",
            Framework::Bottle => "bottle",
            Framework::Tornado => "tornado",
            Framework::Werkzeug => "werkzeug",
            Framework::Rails => "rails",
            Framework::Sinatra => "sinatra",
            Framework::Hanami => "hanami",
            Framework::Roda => "roda",
            Framework::Grape => "grape",
            Framework::Laravel => "laravel",
            Framework::Symfony => "symfony",
            Framework::Slim => "slim",
            Framework::PlainPhp => "php",
            Framework::SpringBoot => "spring-boot",
            Framework::Quarkus => "quarkus",
            Framework::Micronaut => "micronaut",
            Framework::JavaServlet => "servlet",
            Framework::Gin => "gin",
            Framework::Echo => "echo",
            Framework::Chi => "chi",
            Framework::Fiber => "fiber",
            Framework::GorillaMux => "gorilla-mux",
            Framework::HttpRouter => "httprouter",
            Framework::NetHttp => "net-http",
            Framework::NodeHttp => "node-http",
            Framework::Axum => "axum",
            Framework::ActixWeb => "actix-web",
            Framework::Rocket => "rocket",
            Framework::Warp => "warp",
            Framework::Poem => "poem",
            Framework::Salvo => "salvo",
            Framework::AspNetCore => "aspnetcore",
            Framework::Phoenix => "phoenix",
            Framework::Daemon => "daemon",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Framework::NextJs => "Next.js",
            Framework::Nuxt => "Nuxt",
            Framework::Remix => "Remix",
            Framework::ReactRouter => "React Router",
            Framework::SvelteKit => "SvelteKit",
            Framework::Astro => "Astro",
            Framework::NestJs => "NestJS",
            Framework::Express => "Express",
            Framework::Fastify => "Fastify",
            Framework::Koa => "Koa",
            Framework::Hono => "Hono",
            Framework::Hapi => "hapi",
            Framework::AdonisJs => "AdonisJS",
            Framework::Feathers => "Feathers",
            Framework::Restify => "restify",
            Framework::Django => "Django",
            Framework::FastApi => "FastAPI",
            Framework::Flask => "Flask",
            Framework::Starlette => "Starlette",
            Framework::Litestar => "Litestar",
            Framework::Sanic => "Sanic",
            Framework::Falcon => "Falcon",
            Framework::Quart => "Quart",
            Framework::Pyramid => "Pyramid",
            Framework::Bottle => "Bottle",
            Framework::Tornado => "Tornado",
            Framework::Werkzeug => "Werkzeug",
            Framework::Rails => "Rails",
            Framework::Sinatra => "Sinatra",
            Framework::Hanami => "Hanami",
            Framework::Roda => "Roda",
            Framework::Grape => "Grape",
            Framework::Laravel => "Laravel",
            Framework::Symfony => "Symfony",
            Framework::Slim => "Slim",
            Framework::PlainPhp => "PHP",
            Framework::SpringBoot => "Spring Boot",
            Framework::Quarkus => "Quarkus",
            Framework::Micronaut => "Micronaut",
            Framework::JavaServlet => "Java servlet (WAR)",
            Framework::Gin => "Gin",
            Framework::Echo => "Echo",
            Framework::Chi => "chi",
            Framework::Fiber => "Fiber",
            Framework::GorillaMux => "gorilla/mux",
            Framework::HttpRouter => "httprouter",
            Framework::NetHttp => "net/http",
            Framework::NodeHttp => "Node.js http",
            Framework::Axum => "axum",
            Framework::ActixWeb => "Actix Web",
            Framework::Rocket => "Rocket",
            Framework::Warp => "warp",
            Framework::Poem => "Poem",
            Framework::Salvo => "Salvo",
            Framework::AspNetCore => "ASP.NET Core",
            Framework::Phoenix => "Phoenix",
            Framework::Daemon => "long-running program",
        }
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Framework::NetHttp => return Ecosystem::Go,
            Framework::PlainPhp => return Ecosystem::Php,
            Framework::NodeHttp => return Ecosystem::Node,
            _ => {}
        }
        if NPM_FRAMEWORKS.iter().any(|(f, _)| *f == self) {
            return Ecosystem::Node;
        }
        OTHER_FRAMEWORKS
            .iter()
            .find(|(f, _, _)| *f == self)
            .map(|(_, e, _)| *e)
            .unwrap_or(Ecosystem::Node)
    }

    /// Frameworks whose routes are files, so routes are found by path alone.
    pub fn routes_are_files(self) -> bool {
        matches!(
            self,
            Framework::NextJs
                | Framework::Nuxt
                | Framework::Remix
                | Framework::ReactRouter
                | Framework::SvelteKit
                | Framework::Astro
        )
    }

    /// The CLI binary that a package.json script runs to build/serve the app.
    pub fn cli(self) -> &'static str {
        match self {
            Framework::NextJs => "next",
            Framework::Nuxt => "nuxt",
            Framework::Remix => "remix",
            Framework::ReactRouter => "react-router",
            Framework::SvelteKit => "vite",
            Framework::Astro => "astro",
            Framework::NestJs => "nest",
            Framework::AdonisJs => "ace",
            _ => "node",
        }
    }
}

/// The web frameworks of a set of npm dependencies, primary first.
pub fn npm_frameworks<'a>(mut has: impl FnMut(&str) -> bool) -> Vec<(Framework, &'a str)> {
    NPM_FRAMEWORKS
        .iter()
        .filter_map(|(f, pkgs)| pkgs.iter().find(|p| has(p)).map(|p| (*f, *p)))
        .collect()
}

/// ORMs, query builders and services, by npm package, reported as the app's
/// stacks after its frameworks.
/// Stacks (ids from the tables below) that mean a database server the app
/// needs; SQLite is a file.
pub const DATABASE_SERVER_STACKS: &[&str] = &[
    "prisma",
    "drizzle",
    "typeorm",
    "sequelize",
    "knex",
    "mongoose",
    "postgresql",
    "mysql",
    "mongodb",
    "sqlserver",
];

const NPM_STACKS: &[(&str, &[&str])] = &[
    ("prisma", &["prisma", "@prisma/client"]),
    ("drizzle", &["drizzle-orm"]),
    ("typeorm", &["typeorm"]),
    ("sequelize", &["sequelize"]),
    ("knex", &["knex"]),
    ("mongoose", &["mongoose"]),
    (
        "postgresql",
        &[
            "pg",
            "postgres",
            "@neondatabase/serverless",
            "@vercel/postgres",
        ],
    ),
    ("mysql", &["mysql2", "mysql"]),
    ("mongodb", &["mongodb"]),
    ("sqlite", &["better-sqlite3", "sqlite3", "sqlite"]),
    (
        "redis",
        &[
            "ioredis",
            "redis",
            "@upstash/redis",
            "@redis/client",
            "bullmq",
            "bull",
        ],
    ),
];

pub fn npm_stacks(mut has: impl FnMut(&str) -> bool) -> Vec<&'static str> {
    NPM_STACKS
        .iter()
        .filter(|(_, pkgs)| pkgs.iter().any(|p| has(p)))
        .map(|(id, _)| *id)
        .collect()
}

/// Services and ORMs of the other ecosystems, by dependency.
const OTHER_STACKS: &[(&str, Ecosystem, &[&str])] = &[
    (
        "sqlalchemy",
        Ecosystem::Python,
        &["sqlalchemy", "flask-sqlalchemy", "sqlmodel"],
    ),
    (
        "postgresql",
        Ecosystem::Python,
        &[
            "psycopg2",
            "psycopg2-binary",
            "psycopg",
            "asyncpg",
            "pg8000",
        ],
    ),
    (
        "mysql",
        Ecosystem::Python,
        &["mysqlclient", "pymysql", "aiomysql"],
    ),
    (
        "mongodb",
        Ecosystem::Python,
        &["pymongo", "motor", "mongoengine", "beanie"],
    ),
    (
        "redis",
        Ecosystem::Python,
        &["redis", "django-redis", "aioredis", "celery", "rq"],
    ),
    ("postgresql", Ecosystem::Ruby, &["pg"]),
    ("mysql", Ecosystem::Ruby, &["mysql2", "trilogy"]),
    (
        "redis",
        Ecosystem::Ruby,
        &["redis", "sidekiq", "redis-client"],
    ),
    ("redis", Ecosystem::Php, &["predis/predis"]),
    (
        "postgresql",
        Ecosystem::Java,
        &["org.postgresql:postgresql"],
    ),
    (
        "mysql",
        Ecosystem::Java,
        &[
            "com.mysql:mysql-connector-j",
            "mysql:mysql-connector-java",
            "org.mariadb.jdbc:mariadb-java-client",
        ],
    ),
    (
        "redis",
        Ecosystem::Java,
        &[
            "org.springframework.boot:spring-boot-starter-data-redis",
            "redis.clients:jedis",
            "io.lettuce:lettuce-core",
        ],
    ),
    (
        "postgresql",
        Ecosystem::Go,
        &[
            "github.com/lib/pq",
            "github.com/jackc/pgx/v5",
            "github.com/jackc/pgx/v4",
            "gorm.io/driver/postgres",
        ],
    ),
    (
        "mysql",
        Ecosystem::Go,
        &["github.com/go-sql-driver/mysql", "gorm.io/driver/mysql"],
    ),
    (
        "sqlite",
        Ecosystem::Go,
        &[
            "github.com/mattn/go-sqlite3",
            "modernc.org/sqlite",
            "gorm.io/driver/sqlite",
            "github.com/glebarez/sqlite",
        ],
    ),
    (
        "redis",
        Ecosystem::Go,
        &[
            "github.com/redis/go-redis/v9",
            "github.com/go-redis/redis/v8",
            "github.com/gomodule/redigo",
        ],
    ),
    (
        "postgresql",
        Ecosystem::Rust,
        &["tokio-postgres", "postgres"],
    ),
    ("sqlite", Ecosystem::Rust, &["rusqlite"]),
    // NuGet packages (lower-cased) and EF Core providers.
    (
        "postgresql",
        Ecosystem::Dotnet,
        &["npgsql", "npgsql.entityframeworkcore.postgresql"],
    ),
    (
        "mysql",
        Ecosystem::Dotnet,
        &[
            "pomelo.entityframeworkcore.mysql",
            "mysql.entityframeworkcore",
            "mysql.data",
            "mysqlconnector",
        ],
    ),
    (
        "sqlserver",
        Ecosystem::Dotnet,
        &[
            "microsoft.entityframeworkcore.sqlserver",
            "microsoft.data.sqlclient",
            "system.data.sqlclient",
        ],
    ),
    ("mongodb", Ecosystem::Dotnet, &["mongodb.driver"]),
    (
        "sqlite",
        Ecosystem::Dotnet,
        &[
            "microsoft.entityframeworkcore.sqlite",
            "microsoft.data.sqlite",
            "system.data.sqlite",
            "sqlite-net-pcl",
        ],
    ),
    (
        "redis",
        Ecosystem::Dotnet,
        &[
            "stackexchange.redis",
            "microsoft.extensions.caching.stackexchangeredis",
        ],
    ),
    // Hex packages: Ecto's adapters.
    ("postgresql", Ecosystem::Elixir, &["postgrex"]),
    ("mysql", Ecosystem::Elixir, &["myxql", "mariaex"]),
    (
        "sqlite",
        Ecosystem::Elixir,
        &["ecto_sqlite3", "exqlite", "sqlite_ecto2"],
    ),
    ("redis", Ecosystem::Elixir, &["redix"]),
    (
        "redis",
        Ecosystem::Rust,
        &["redis", "deadpool-redis", "fred"],
    ),
];

pub fn other_stacks(ecosystem: Ecosystem, mut has: impl FnMut(&str) -> bool) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = OTHER_STACKS
        .iter()
        .filter(|(_, e, pkgs)| *e == ecosystem && pkgs.iter().any(|p| has(p)))
        .map(|(id, _, _)| *id)
        .collect();
    out.dedup();
    out
}
