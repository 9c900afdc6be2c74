//! Which well-known words a file contains, read once.
//!
//! Rules skip the lexing of files that cannot matter by asking whether the
//! text spells a word first (`js_mentioning(id, &["process.env"])`). Many
//! rules and every app of a monorepo ask about the same shared files, so
//! reading the text again for each question made the audit read every
//! source file dozens of times. The first question reads the file once and
//! records, as a bit mask, which words of `NEEDLES` it contains; later
//! questions about those words are answered from the mask. A word missing
//! from the table is answered by reading the file, so the table is only a
//! cache: forgetting a word costs time, never a finding.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// The words rules ask about (at most 128).
pub const NEEDLES: &[&str] = &[
    // Health routes (missing-health-endpoint).
    "health",
    "Health",
    "HEALTH",
    "livez",
    "readyz",
    "heartbeat",
    "/status",
    "status/",
    "/ping",
    "ping/",
    "/up",
    "up/",
    "\"up\"",
    "'up'",
    "/ready",
    "ready/",
    "/live",
    "live/",
    "/alive",
    "alive/",
    // Database and cache clients (health-check-misses-dependencies).
    "prisma",
    "pg",
    "postgres",
    "mysql",
    "mongo",
    "sequelize",
    "typeorm",
    "drizzle",
    "knex",
    "kysely",
    "neon",
    "planetscale",
    "redis",
    // Environment reads (env-example-drift, hardcoded-fallback-secret).
    "process.env",
    "import.meta.env",
    "Bun.env",
    "Deno.env",
    "env",
    "ENV",
    "Env",
    "${",
    // Browser-exposed variables (secret-exposed-to-browser).
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
    "VUE_APP_",
    "GATSBY_",
    "VITE_",
    "PUBLIC_",
    // Debug switches (debug-enabled-in-production).
    "DEBUG",
    "debug",
    "reload",
    // Logging and error tracking.
    "console",
    "print",
    "Logger",
    "logging",
    "structlog",
    "loguru",
    "init",
    "sentry_sdk",
    "Sentry",
    "@sentry/",
    "github.com/getsentry/sentry-go",
    // Node APM agents (apm-sdk-not-initialized).
    "dd-trace",
    "newrelic",
    "@opentelemetry/sdk-node",
    "@opentelemetry/auto-instrumentations-node",
    "elastic-apm-node",
    "@appsignal/nodejs",
    "@highlight-run/node",
    "use server",
];

/// The bits of `needles` in the table; `None` when one of them is not in
/// it (the caller must read the file).
pub fn bits_of(needles: &[&str]) -> Option<u128> {
    // Rules ask with the same few lists for every file: remember the last
    // lists per thread (compared by content, so a list is never mistaken
    // for another) instead of searching the table for each word each time.
    const REMEMBERED: usize = 8;
    type Remembered = Vec<(Vec<String>, Option<u128>)>;
    thread_local! {
        static LAST: std::cell::RefCell<Remembered> = const { std::cell::RefCell::new(Vec::new()) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((_, bits)) = last.iter().find(|(list, _)| {
            list.len() == needles.len() && list.iter().zip(needles).all(|(a, b)| a == b)
        }) {
            return *bits;
        }
        let bits = search_bits(needles);
        if last.len() == REMEMBERED {
            last.remove(0);
        }
        last.push((needles.iter().map(|n| n.to_string()).collect(), bits));
        bits
    })
}

fn search_bits(needles: &[&str]) -> Option<u128> {
    let mut bits = 0u128;
    for needle in needles {
        let i = NEEDLES.iter().position(|n| n == needle)?;
        bits |= 1 << i;
    }
    Some(bits)
}

/// The mask of the table's words that `text` contains, in one pass over
/// the text (an Aho-Corasick automaton of the whole table; overlapping
/// matches, since `env` is inside `process.env`).
pub fn mask_of(text: &str) -> u128 {
    static AUTOMATON: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    let Some(automaton) = AUTOMATON.get_or_init(|| AhoCorasick::new(NEEDLES).ok()) else {
        return NEEDLES
            .iter()
            .enumerate()
            .filter(|(_, n)| text.contains(**n))
            .fold(0, |mask, (i, _)| mask | (1 << i));
    };
    let all = if NEEDLES.len() == 128 {
        u128::MAX
    } else {
        (1u128 << NEEDLES.len()) - 1
    };
    let mut mask = 0u128;
    for found in automaton.find_overlapping_iter(text) {
        mask |= 1 << found.pattern().as_usize();
        if mask == all {
            break;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_fits_the_mask_and_has_no_duplicates() {
        assert!(NEEDLES.len() <= 128);
        for (i, n) in NEEDLES.iter().enumerate() {
            assert!(!NEEDLES[..i].contains(n), "{n} twice");
        }
    }

    #[test]
    fn known_words_are_answered_from_the_mask() {
        let mask = mask_of("const url = process.env.DATABASE_URL;\n");
        let bits = bits_of(&["process.env", "import.meta.env"]).expect("known");
        assert_ne!(mask & bits, 0);
        let bits = bits_of(&["health"]).expect("known");
        assert_eq!(mask & bits, 0);
        assert!(bits_of(&["not-a-table-word"]).is_none());
        // Overlapping words are all seen.
        let mask = mask_of("import.meta.env.VITE_KEY");
        for word in ["import.meta.env", "env", "VITE_"] {
            let bit = bits_of(&[word]).expect("known");
            assert_ne!(mask & bit, 0, "{word}");
        }
    }
}
