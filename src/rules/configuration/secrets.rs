//! What the configuration rules share: whether a variable name says it
//! holds a secret, whether a value is a placeholder rather than a real
//! credential, and connection URLs that carry a password.

/// Last words that make a name describe a secret's metadata, not the
/// secret (`JWT_SECRET_EXPIRES_IN`, `API_KEY_HEADER`, `GITHUB_CLIENT_ID`).
const METADATA_WORDS: &[&str] = &[
    "ALG",
    "ALGORITHM",
    "AUDIENCE",
    "BUCKET",
    "COUNT",
    "DIR",
    "DURATION",
    "EMAIL",
    "ENABLE",
    "ENABLED",
    "ENDPOINT",
    "EXPIRATION",
    "EXPIRE",
    "EXPIRES",
    "EXPIRY",
    "FIELD",
    "FILE",
    "HEADER",
    "HOST",
    "ID",
    "IN",
    "ISSUER",
    "LENGTH",
    "LIFETIME",
    "LOCATION",
    "MAX",
    "METHOD",
    "MIN",
    "MODE",
    "NAME",
    "PARAM",
    "PATH",
    "POLICY",
    "PORT",
    "PREFIX",
    "PROVIDER",
    "REGION",
    "ROUNDS",
    "SIZE",
    "STRATEGY",
    "TIMEOUT",
    "TTL",
    "TYPE",
    "URI",
    "URL",
    "USER",
    "USERNAME",
    "VERSION",
];

/// Words before `KEY` that make it an identifier, not a credential
/// (`CACHE_KEY`, `SITE_KEY`, `PUBLIC_KEY`).
const NON_SECRET_KEY_WORDS: &[&str] = &[
    "BUCKET",
    "CACHE",
    "COOKIE",
    "FOREIGN",
    "IDEMPOTENCY",
    "LOCK",
    "OBJECT",
    "PARTITION",
    "PRIMARY",
    "PUBLIC",
    "PUBLISHABLE",
    "QUEUE",
    "ROUTING",
    "SEARCH",
    "SITE",
    "SORT",
    "STORAGE",
    "TENANT",
];

/// Words that make a name describe a feature or setting around secrets,
/// not a secret (`ENABLE_EMAIL_PASSWORD`, `AUTH_PASSWORD_BROKER`,
/// `PASSWORD_RESET_TOKEN_TABLE`, `API_KEY_RATE_LIMIT`, `DEMO_PASSWORD`).
pub const FEATURE_WORDS: &[&str] = &[
    "ALLOW",
    "BROKER",
    "CHANGE",
    "COMPLEXITY",
    "DEMO",
    "DISABLE",
    "DISABLED",
    "ENABLE",
    "ENABLED",
    "FORGOT",
    "HASHER",
    "LIMIT",
    "LOCK",
    "LOGIN",
    "PROMPT",
    "RATE",
    "REQUIRE",
    "REQUIRED",
    "RESET",
    "SHOW",
    "SIGNIN",
    "SIGNUP",
    "STRENGTH",
    "TABLE",
    "TEMPLATE",
    "TEMPLATEID",
    "THRESHOLD",
    "THROTTLE",
    "TIME",
    "USE",
];

fn words(name: &str) -> Vec<String> {
    name.to_ascii_uppercase()
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a variable's name says it holds a secret: a password, token,
/// API/private/signing key or client secret. Public keys (`*_PUBLIC_*`,
/// `*_PUBLISHABLE_*`, Supabase's `ANON` key) and metadata about a secret
/// (`*_EXPIRES_IN`, `*_ID`, `*_URL`) are not.
pub fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if name == "PWD"
        || METADATA_WORDS.contains(&last.as_str())
        || words.iter().any(|w| FEATURE_WORDS.contains(&w.as_str()))
        || words
            .iter()
            .any(|w| matches!(w.as_str(), "PUBLIC" | "PUBLISHABLE" | "ANON"))
    {
        return false;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    if [
        "SECRET",
        "SECRETS",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PWD",
        "TOKEN",
        "APIKEY",
        "CREDENTIALS",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| has(w))
    {
        return true;
    }
    if last == "KEY" && words.len() >= 2 {
        let before = &words[words.len() - 2];
        return !NON_SECRET_KEY_WORDS.contains(&before.as_str());
    }
    // `PRIVATE_KEY_PEM`, `SIGNING_KEY_BASE64`
    words.windows(2).any(|w| {
        w[1] == "KEY"
            && matches!(
                w[0].as_str(),
                "PRIVATE" | "SIGNING" | "ENCRYPTION" | "API" | "MASTER"
            )
    })
}

/// Services the app connects out to: a password or key for them, when
/// missing, fails the connection rather than weakening the app itself.
const OUTGOING_SERVICE_WORDS: &[&str] = &[
    "AMQP",
    "AWS",
    "AZURE",
    "CLICKHOUSE",
    "CLIENT",
    "DATABASE",
    "DB",
    "ELASTIC",
    "ELASTICSEARCH",
    "EMAIL",
    "FIREBASE",
    "GCS",
    "GITHUB",
    "GOOGLE",
    "KAFKA",
    "LDAP",
    "MAIL",
    "MINIO",
    "MONGO",
    "MONGODB",
    "MYSQL",
    "NATS",
    "OPENAI",
    "PG",
    "POSTGRES",
    "POSTGRESQL",
    "PUSHER",
    "RABBITMQ",
    "REDIS",
    "S3",
    "SENDGRID",
    "SENTRY",
    "SLACK",
    "SMTP",
    "STRIPE",
    "SUPABASE",
    "TWILIO",
];

/// Whether a secret protects the app itself — it signs or encrypts
/// sessions and tokens, or authenticates callers (`SECRET_KEY`,
/// `JWT_SECRET`, `SESSION_SECRET`, `APP_KEY`, `ADMIN_PASSWORD`,
/// `WEBHOOK_SECRET`) — rather than being a credential for a service the
/// app connects to (`DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`,
/// `GOOGLE_CLIENT_SECRET`).
pub fn is_app_secret(name: &str) -> bool {
    if !is_secret_name(name) {
        return false;
    }
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    if !has("WEBHOOK")
        && words
            .iter()
            .any(|w| OUTGOING_SERVICE_WORDS.contains(&w.as_str()))
    {
        return false;
    }
    let credential = has("PASSWORD") || has("TOKEN") || has("KEY") || has("SECRET");
    has("SECRET")
        || has("SECRETS")
        || (credential
            && [
                "JWT",
                "SIGNING",
                "ENCRYPTION",
                "HMAC",
                "CSRF",
                "SESSION",
                "COOKIE",
                "ADMIN",
                "BASIC",
                "WEBHOOK",
                "AUTH",
                "ROOT",
                "SUPERUSER",
                "MASTER",
            ]
            .iter()
            .any(|w| has(w)))
        || name == "APP_KEY"
}

/// Parts of values that mark a placeholder or a development default.
const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "change_this",
    "change-this",
    "replace",
    "your",
    "example",
    "placeholder",
    // A value that describes what to put there
    // (`someRandomStringWith32Characters`, `generate-a-random-string`).
    "random",
    "characters",
    "dummy",
    "fake",
    "sample",
    "todo",
    "xxx",
    "***",
    "...",
    "insecure",
    "notsecret",
    "not-secret",
    "not_secret",
    "not-a-secret",
    "test",
    "dev",
    "local",
    "default",
    "mysecret",
    "supersecret",
    "secret-key",
    "secret_key",
    "secretkey",
    "fixme",
    "redacted",
    "<",
    "{{",
    "${",
    "$(",
    "%(",
];

/// Whole values that are placeholders.
const PLACEHOLDER_VALUES: &[&str] = &[
    "admin",
    "changeit",
    "false",
    "none",
    "null",
    "pass",
    "password",
    "postgres",
    "root",
    "secret",
    "true",
    "undefined",
];

/// Whether a value is empty, a reference (`${OTHER}`), a template, or an
/// obvious placeholder or development default (`changeme`, `your-key`,
/// `xxxx`, `dev-secret`), or too short to be a generated credential.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.len() < 10
        || v.starts_with('$')
        || PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p))
    {
        return true;
    }
    // `user:user` credentials (`dispatch:dispatch`, `postgres:postgres`).
    if let Some((user, password)) = v.split_once(':') {
        if user == password {
            return true;
        }
    }
    // One repeated character (`xxxxxxxxxx`, `0000000000`) or only filler.
    let first = lower.chars().next().unwrap_or(' ');
    lower.chars().all(|c| c == first)
        || lower
            .chars()
            .all(|c| matches!(c, 'x' | '*' | '-' | '_' | '0' | '.'))
}

/// Whether a value is a fill-in placeholder: it asks to be replaced by
/// the reader's own value (`your-secret-key`, `yourapikey`, `<token>`,
/// `xxxxxxxx`, `change-me`, `replace_me`). Narrower than `is_placeholder`:
/// a development default (`dev-secret`, `INSECURE_KEY_SET_IN_ENV`) is not
/// one, it is meant to be used as it is.
pub fn is_fill_in_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return false;
    }
    let starts = |p: &str| lower.starts_with(p);
    (starts("your") && !starts("yours"))
        || (starts("<") && lower.ends_with('>'))
        || starts("change-me")
        || starts("change_me")
        || starts("changeme")
        || starts("change-this")
        || starts("changethis")
        || starts("replace-me")
        || starts("replace_me")
        || starts("replaceme")
        || starts("put-your")
        || starts("put_your")
        || starts("enter-your")
        || starts("enter_your")
        || lower
            .chars()
            .all(|c| matches!(c, 'x' | '*' | '-' | '_' | '.'))
}

/// Whether a secret signs or encrypts the app's own sessions, tokens or
/// data (`SECRET_KEY`, `APP_KEY`, `JWT_SECRET`, `SESSION_SECRET`,
/// `ENCRYPTION_KEY`): the app uses whatever value it gets, a placeholder
/// included, so anyone who reads the code can forge what it signs.
pub fn is_signing_secret(name: &str) -> bool {
    let words = words(name);
    let has = |w: &str| words.iter().any(|x| x == w);
    name == "APP_KEY"
        || name == "SECRET_KEY"
        || name.ends_with("_SECRET_KEY")
        || name.ends_with("SECRET_KEY_BASE")
        || [
            "JWT",
            "SIGNING",
            "ENCRYPTION",
            "HMAC",
            "CSRF",
            "SESSION",
            "COOKIE",
            "NEXTAUTH",
        ]
        .iter()
        .any(|w| has(w))
}

/// Whether a value only spells its variable's name (`POSTGRES_ASTRONOMY_PASSWORD=astronomy_password`,
/// `DB_PASSWORD=db-password`): every word of the value is a word of the
/// name, so it carries nothing a reader of the name could not guess — a
/// placeholder however long it is.
pub fn is_named_after(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name_words: Vec<&str> = name
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    let value = value.trim().to_ascii_lowercase();
    let mut words = value
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .peekable();
    words.peek().is_some() && words.all(|w| name_words.contains(&w))
}

/// Credential formats that are real wherever they appear.
const KNOWN_FORMATS: &[(&str, &str)] = &[
    ("AKIA", "an AWS access key"),
    ("ASIA", "an AWS access key"),
    ("sk_live_", "a Stripe live secret key"),
    ("rk_live_", "a Stripe live restricted key"),
    ("ghp_", "a GitHub token"),
    ("gho_", "a GitHub token"),
    ("ghs_", "a GitHub token"),
    ("github_pat_", "a GitHub token"),
    ("glpat-", "a GitLab token"),
    ("xoxb-", "a Slack token"),
    ("xoxp-", "a Slack token"),
    ("sk-ant-", "an Anthropic key"),
    ("sk-proj-", "an OpenAI key"),
    ("SG.", "a SendGrid key"),
    ("AIza", "a Google API key"),
    ("-----BEGIN", "a private key"),
];

/// What kind of real credential a value is, by its format alone.
pub fn known_format(value: &str) -> Option<&'static str> {
    let v = value.trim();
    KNOWN_FORMATS.iter().find_map(|(prefix, what)| {
        let rest = v.strip_prefix(prefix)?;
        let long = if *prefix == "-----BEGIN" {
            rest.contains("PRIVATE KEY")
        } else {
            rest.len() >= 16
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        };
        (long && !is_placeholder_text(rest)).then_some(*what)
    })
}

fn is_placeholder_text(rest: &str) -> bool {
    let lower = rest.to_ascii_lowercase();
    ["xxxx", "example", "your", "0000", "1234"]
        .iter()
        .any(|p| lower.contains(p))
}

/// A connection URL's password, when it has one and points at a host
/// other than this machine or a Compose service (`db`, `postgres`):
/// `postgres://app:s3cr3t@db.example.com/app` → true.
pub fn url_has_remote_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return false;
    };
    let host = host
        .trim_start_matches('[')
        .split([']', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let local = host.is_empty()
        || host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "::1"
        || host == "host.docker.internal"
        || !host.contains('.')
        || host.ends_with(".local")
        || host.ends_with(".internal")
        || host.ends_with(".svc")
        || host.contains(".svc.")
        || host.contains("example");
    let placeholder = password.len() < 6
        || PLACEHOLDER_VALUES.contains(&password.to_ascii_lowercase().as_str())
        || PLACEHOLDER_PARTS
            .iter()
            .any(|p| password.to_ascii_lowercase().contains(p));
    !local && !placeholder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "JWT_SECRET",
            "STRIPE_SECRET_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "OPENAI_API_KEY",
            "APP_KEY",
            "SECRET_KEY_BASE",
            "GOOGLE_CLIENT_SECRET",
            "PRIVATE_KEY_PEM",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "JWT_SECRET_EXPIRES_IN",
            "GITHUB_CLIENT_ID",
            "STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "CACHE_KEY",
            "DATABASE_URL",
            "PASSWORD_MIN_LENGTH",
            "PORT",
            "TOKEN_TTL",
            "RECAPTCHA_SITE_KEY",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn app_secrets() {
        for n in [
            "SECRET_KEY",
            "JWT_SECRET",
            "SECRET_KEY_BASE",
            "APP_KEY",
            "ADMIN_PASSWORD",
            "SENDGRID_WEBHOOK_PASSWORD",
            "NEXTAUTH_SECRET",
            "BASIC_AUTH_PASSWORD",
        ] {
            assert!(is_app_secret(n), "{n}");
        }
        for n in [
            "DB_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "GOOGLE_CLIENT_SECRET",
            "RABBITMQ_PASSWORD",
            "POLAR_AUTH_COOKIE_KEY",
            "AUTH_PASSWORD_BROKER",
            "ENABLE_EMAIL_PASSWORD",
            "API_KEY_RATE_LIMIT",
            "OPENAI_API_KEY",
        ] {
            assert!(!is_app_secret(n), "{n}");
        }
    }

    #[test]
    fn placeholders() {
        for v in [
            "",
            "someRandomStringWith32Characters",
            "changeme",
            "your-secret-here",
            "<your key>",
            "xxxxxxxxxxxxxxxx",
            "${OTHER}",
            "secret",
            "dev-secret-key-123",
            "sk_test_51Hxyz",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in [
            "8f3a9c2e71b04d5fa6e2c9b1d7e3f0a4",
            "sk_live_51HqLyjWDarjtT1zdp7dc",
        ] {
            assert!(!is_placeholder(v), "{v}");
        }
    }

    #[test]
    fn values_that_spell_their_name() {
        assert!(is_named_after(
            "POSTGRES_ASTRONOMY_PASSWORD",
            "astronomy_password"
        ));
        assert!(is_named_after("DB_PASSWORD", "db-password"));
        assert!(!is_named_after("DB_PASSWORD", "db-password-7f3a9c"));
        assert!(!is_named_after("JWT_SECRET", ""));
        assert!(!is_named_after("JWT_SECRET", "Zq81kLm2vXr9"));
    }

    #[test]
    fn urls_and_formats() {
        assert!(url_has_remote_password(
            "postgres://app:Zq81kLm2@db.prod-cluster.com:5432/app"
        ));
        assert!(!url_has_remote_password(
            "postgres://postgres:postgres@localhost:5432/app"
        ));
        assert!(!url_has_remote_password(
            "postgres://app:Zq81kLm2@db:5432/app"
        ));
        assert!(!url_has_remote_password("postgres://db.prod.com/app"));
        assert_eq!(
            known_format("AKIAIOSFODNN7EXAMPL3"),
            Some("an AWS access key")
        );
        assert_eq!(known_format("AKIAXXXXXXXXXXXXXXXX"), None);
    }
}
