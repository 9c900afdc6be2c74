//! What seaworthy knows about stacks: web frameworks, ORMs and the services an
//! app talks to, each recognised by the packages that bring it.

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
        }
    }

    /// The npm package whose line in package.json is the evidence.
    pub fn packages(self) -> &'static [&'static str] {
        NPM_FRAMEWORKS
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, p)| *p)
            .unwrap_or(&[])
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
