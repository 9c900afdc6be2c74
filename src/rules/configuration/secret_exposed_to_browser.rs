//! secret-exposed-to-browser: a server-side secret carries a prefix that
//! bundles it into the client.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::PackageJson;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::roles::path::is_non_product_path;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "secret-exposed-to-browser",
        code: "SW702",
        severity: Severity::High,
        category: Category::Configuration,
        title: "Secret exposed to the browser",
        wording: Wording::IssueImpactFix,
        fixable: false,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Finds variables with a prefix that makes the framework inline them into the
client bundle — `NEXT_PUBLIC_` (Next.js), `VITE_` (Vite), `REACT_APP_`
(Create React App), `VUE_APP_` (Vue CLI), `NUXT_PUBLIC_` (Nuxt),
`EXPO_PUBLIC_` (Expo), `GATSBY_` (Gatsby), `PUBLIC_` (SvelteKit's
`$env/static/public`, Astro; only in repositories with such an app) — whose
names say they are server-side secrets: `SECRET`, `PASSWORD`, a `PRIVATE`
key, Supabase's `SERVICE_ROLE` key, an admin token, a database URL, or the
key/token of a server-only API (OpenAI, Anthropic, Stripe secret, GitHub,
Slack, SendGrid, Resend, Twilio, AWS, …). The names are read from env
examples, env files and the code that can end up in a client bundle
(`process.env.NEXT_PUBLIC_X`, `import.meta.env.VITE_X`): packages built by
one of those frameworks and the workspace packages they depend on. Tests
and server-only packages (an Express API beside a Next.js app) are not
bundled, so their code is not read.

Keys that are public by design are not reported: Mapbox and other map
tokens, Sentry DSNs, Stripe publishable keys, Supabase anon keys, PostHog,
Firebase web config, reCAPTCHA/Turnstile site keys, analytics and feature-flag
client keys (Segment, Mixpanel, Amplitude, GrowthBook, LaunchDarkly client
IDs), Algolia search-only keys, Datadog RUM client tokens, Clerk publishable
keys, Shopify storefront tokens.

## Why is this bad?
Everything with a public prefix is written into the JavaScript that every
visitor downloads. A secret there is published: anyone can read it from the
bundle and call the API as the app — run up the OpenAI bill, bypass row-level
security with a service-role key, read the database.

## Example
### Reported
```dotenv file=.env.example
NEXT_PUBLIC_SUPABASE_URL=
NEXT_PUBLIC_SUPABASE_ANON_KEY=
NEXT_PUBLIC_OPENAI_API_KEY=
```

### Not reported
```dotenv file=.env.example
NEXT_PUBLIC_SUPABASE_URL=
NEXT_PUBLIC_SUPABASE_ANON_KEY=
NEXT_PUBLIC_MAPBOX_TOKEN=
NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=
OPENAI_API_KEY=
```

## Fix
Drop the public prefix and read the secret only in server code (a route
handler, server action, API route, `+page.server.ts`); let the browser call
that endpoint. Rotate the key: every deployed bundle has published it.
"#;

const PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VUE_APP_",
    "GATSBY_",
    "VITE_",
    "PUBLIC_",
];

/// Vendors and words of keys that are public by design.
/// Dependencies that build a client bundle and inline prefixed variables
/// into it.
const CLIENT_BUNDLERS: &[&str] = &[
    "next",
    "nuxt",
    "vite",
    "react-scripts",
    "expo",
    "gatsby",
    "@sveltejs/kit",
    "astro",
    "@vue/cli-service",
];

/// The packages whose code can end up in a browser bundle: those built by a
/// client bundler and the workspace packages they depend on (a shared
/// `packages/ui`). Code of server-only packages (an Express API) and tests
/// is never inlined, so it is not read. A file outside every package.json
/// folder is read: nothing says where it goes.
struct BundledPackages<'a> {
    cx: &'a RepoContext<'a>,
    /// package.json ids of bundled packages.
    bundled: BTreeSet<FileId>,
}

impl<'a> BundledPackages<'a> {
    fn new(cx: &'a RepoContext<'a>) -> BundledPackages<'a> {
        let manifests: Vec<(FileId, &PackageJson)> = cx
            .index
            .of_kind(FileKind::PackageJson)
            .iter()
            .filter_map(|id| cx.facts.package_json(*id).map(|p| (*id, p)))
            .collect();
        let by_name: BTreeMap<&str, FileId> = manifests
            .iter()
            .filter_map(|(id, p)| p.name.as_deref().map(|n| (n, *id)))
            .collect();
        let mut bundled: BTreeSet<FileId> = BTreeSet::new();
        let mut pending: Vec<FileId> = manifests
            .iter()
            .filter(|(_, p)| {
                p.all_dependency_names()
                    .any(|d| CLIENT_BUNDLERS.contains(&d))
            })
            .map(|(id, _)| *id)
            .collect();
        // Workspace dependencies, transitively.
        while let Some(id) = pending.pop() {
            if !bundled.insert(id) {
                continue;
            }
            if let Some(pkg) = cx.facts.package_json(id) {
                pending.extend(pkg.all_dependency_names().filter_map(|d| by_name.get(d)));
            }
        }
        BundledPackages { cx, bundled }
    }

    fn may_bundle(&self, id: FileId) -> bool {
        match self.cx.npm_packages().owner(id) {
            Some(manifest) => self.bundled.contains(&manifest),
            None => true,
        }
    }
}

const PUBLIC_BY_DESIGN: &[&str] = &[
    "ALGOLIA",
    "AMPLITUDE",
    "ANON",
    "BROWSER",
    "BUGSNAG",
    "CESIUM",
    "CLERK",
    "CLIENT",
    "CLOUDINARY",
    "CONTENTFUL",
    "CRISP",
    "DATADOG",
    "DSN",
    "FIREBASE",
    "FLAGSMITH",
    "FRONTEND",
    "GA",
    "GOOGLE",
    "GROWTHBOOK",
    "GTM",
    "HCAPTCHA",
    "HEAP",
    "HIGHLIGHT",
    "HOTJAR",
    "INTERCOM",
    "LAUNCHDARKLY",
    "LOGROCKET",
    "MAPBOX",
    "MAPS",
    "MAPTILER",
    "MEASUREMENT",
    "MIXPANEL",
    "ONESIGNAL",
    "POSTHOG",
    "PUBLIC",
    "PUBLISHABLE",
    "PUSHER",
    "RECAPTCHA",
    "RUM",
    "SEARCH",
    "SEGMENT",
    "SENTRY",
    "SHOPIFY",
    "SITE",
    "SITEKEY",
    "STATSIG",
    "STOREFRONT",
    "TURNSTILE",
    "UNLEASH",
    "VAPID",
    "WALLETCONNECT",
];

/// Services whose keys and tokens only a server may hold.
const SERVER_ONLY_VENDORS: &[(&str, &str)] = &[
    ("ANTHROPIC", "an Anthropic API key"),
    ("AWS", "an AWS credential"),
    ("CLOUDFLARE", "a Cloudflare API token"),
    ("COHERE", "a Cohere API key"),
    ("DEEPSEEK", "a DeepSeek API key"),
    ("DEEPGRAM", "a Deepgram API key"),
    ("DISCORD", "a Discord token"),
    ("ELEVENLABS", "an ElevenLabs API key"),
    ("GEMINI", "a Gemini API key"),
    ("GITHUB", "a GitHub token"),
    ("GITLAB", "a GitLab token"),
    ("GROQ", "a Groq API key"),
    ("HUGGINGFACE", "a Hugging Face token"),
    ("MAILGUN", "a Mailgun API key"),
    ("MISTRAL", "a Mistral API key"),
    ("NOTION", "a Notion token"),
    ("OPENAI", "an OpenAI API key"),
    ("OPENROUTER", "an OpenRouter API key"),
    ("PERPLEXITY", "a Perplexity API key"),
    ("PINECONE", "a Pinecone API key"),
    ("POSTMARK", "a Postmark token"),
    ("REPLICATE", "a Replicate token"),
    ("RESEND", "a Resend API key"),
    ("SENDGRID", "a SendGrid API key"),
    ("SLACK", "a Slack token"),
    ("TELEGRAM", "a Telegram bot token"),
    ("TWILIO", "a Twilio credential"),
    ("VERCEL", "a Vercel token"),
];

/// Why a browser-exposed variable's name says it holds a secret.
fn secret_kind(name: &str) -> Option<(&'static str, String)> {
    let prefix = PREFIXES.iter().find(|p| name.starts_with(**p))?;
    let rest = &name[prefix.len()..];
    let words: Vec<&str> = rest.split('_').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let last = words.last().copied().unwrap_or("");
    let metadata = matches!(
        last,
        "URL"
            | "PATH"
            | "ROUTE"
            | "PAGE"
            | "LENGTH"
            | "MIN"
            | "MAX"
            | "ENABLED"
            | "ID"
            | "NAME"
            | "HEADER"
    );
    // Database connection strings carry their password.
    if words.iter().any(|w| {
        matches!(
            *w,
            "DATABASE" | "DB" | "POSTGRES" | "POSTGRESQL" | "MONGO" | "MONGODB" | "MYSQL" | "REDIS"
        )
    }) && matches!(last, "URL" | "URI")
    {
        return Some((prefix, "a database connection string".to_string()));
    }
    if metadata
        || words
            .iter()
            .any(|w| crate::rules::configuration::secrets::FEATURE_WORDS.contains(w))
    {
        return None;
    }
    if has("SERVICE") && (has("ROLE") || last == "KEY") {
        return Some((prefix, "a service-role key".to_string()));
    }
    if has("SECRET") || has("SECRETS") {
        return Some((prefix, "a secret".to_string()));
    }
    if has("PASSWORD") || has("PASSWD") {
        return Some((prefix, "a password".to_string()));
    }
    if words.windows(2).any(|w| w[0] == "PRIVATE" && w[1] == "KEY") {
        return Some((prefix, "a private key".to_string()));
    }
    let keyish = matches!(last, "KEY" | "TOKEN" | "APIKEY") || has("TOKEN");
    if !keyish {
        return None;
    }
    if has("ADMIN") || has("MASTER") || has("WRITE") {
        return Some((prefix, "an admin or write key".to_string()));
    }
    if words.iter().any(|w| PUBLIC_BY_DESIGN.contains(w)) {
        return None;
    }
    SERVER_ONLY_VENDORS
        .iter()
        .find(|(v, _)| has(v))
        .map(|(_, what)| (*prefix, what.to_string()))
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let public_prefix_apps = cx.apps.iter().any(|a| {
        a.frameworks.iter().any(|f| {
            matches!(
                f,
                crate::stack::Framework::SvelteKit | crate::stack::Framework::Astro
            )
        })
    });
    // name → locations
    let mut found: BTreeMap<String, Vec<Location>> = BTreeMap::new();
    let mut add = |name: &str, rel: &str, line: u32| {
        if name.starts_with("PUBLIC_") && !public_prefix_apps {
            return;
        }
        if secret_kind(name).is_some() {
            found
                .entry(name.to_string())
                .or_default()
                .push(Location::new(rel, line));
        }
    };
    for kind in [FileKind::EnvExample, FileKind::EnvFile] {
        for id in cx.index.of_kind(kind) {
            let rel = cx.rel(*id);
            if is_non_product_path(rel) {
                continue;
            }
            let lower = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
            if lower
                .split(['.', '-', '_'])
                .any(|w| matches!(w, "test" | "testing" | "ci" | "e2e"))
            {
                continue;
            }
            if let Some(env) = cx.facts.env_file(*id) {
                for v in &env.vars {
                    add(&v.name, rel, v.line);
                }
            }
        }
    }
    let bundled = BundledPackages::new(cx);
    for kind in [FileKind::JsSource, FileKind::FrameworkConfig] {
        for id in cx.index.of_kind(kind) {
            let file = cx.index.get(*id);
            if file.non_product || file.test || !bundled.may_bundle(*id) {
                continue;
            }
            let rel = &file.rel;
            if let Some(js) = cx.facts.js_mentioning(*id, PREFIXES) {
                for read in &js.env_reads {
                    add(&read.name, rel, read.line);
                }
            }
        }
    }
    let mut findings = Vec::new();
    for (name, mut locations) in found {
        let Some((prefix, what)) = secret_kind(&name) else {
            continue;
        };
        locations.sort();
        locations.dedup();
        let first = locations[0].path.clone();
        let app = cx
            .apps
            .iter()
            .filter(|a| a.path == "." || first.starts_with(&format!("{}/", a.path)))
            .max_by_key(|a| a.path.len());
        let shown: Vec<String> = locations
            .iter()
            .take(4)
            .map(|l| format!("{}:{}", l.path, l.line))
            .collect();
        let bare = &name[prefix.len()..];
        findings.push(RULE.meta.finding(
            app,
            format!(
                "{} is exposed to the browser — the {} prefix inlines it into the client bundle — and its name says it is {what} ({}).",
                code(&name),
                code(prefix),
                shown.join(", ")
            ),
            "Every visitor downloads the value with the JavaScript: anyone can read it from the bundle and use it as the app would — run up API bills, bypass access rules, read data.".to_string(),
            format!(
                "Rename it to {} (no public prefix), read it only in server code (a route handler, server action or API route) and let the browser call that endpoint; rotate the key, since deployed bundles have published it.",
                code(bare)
            ),
            locations.into_iter().take(10).collect(),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "NEXT_PUBLIC_OPENAI_API_KEY",
            "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
            "VITE_STRIPE_SECRET_KEY",
            "REACT_APP_GITHUB_TOKEN",
            "NEXT_PUBLIC_DATABASE_URL",
            "VITE_JWT_SECRET",
            "NEXT_PUBLIC_ADMIN_PASSWORD",
            "NEXT_PUBLIC_GEMINI_API_KEY",
        ] {
            assert!(secret_kind(n).is_some(), "{n}");
        }
        for n in [
            "NEXT_PUBLIC_MAPBOX_TOKEN",
            "NEXT_PUBLIC_SENTRY_DSN",
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_POSTHOG_KEY",
            "VITE_FIREBASE_API_KEY",
            "NEXT_PUBLIC_RECAPTCHA_SITE_KEY",
            "NEXT_PUBLIC_API_URL",
            "VITE_GOOGLE_MAPS_API_KEY",
            "NEXT_PUBLIC_RESET_PASSWORD_URL",
            "OPENAI_API_KEY",
            "NEXT_PUBLIC_GITHUB_CLIENT_ID",
            "NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP",
            "NEXT_PUBLIC_DEMO_PASSWORD",
        ] {
            assert!(secret_kind(n).is_none(), "{n}");
        }
    }
}
