//! Which well-known words a file contains, read once.
//!
//! Rules skip the lexing of files that cannot matter by asking whether the
//! text spells a word first (`js_mentioning(id, &["process.env"])`). Many
//! rules and every app of a monorepo ask about the same shared files, so
//! reading the text again for each question made the audit read every
//! source file dozens of times. The first question reads the file once and
//! records, as a bit mask, which words of the table (`table()`) it
//! contains; later questions about those words are answered from the mask. A word missing
//! from the table is answered by reading the file, so the table is only a
//! cache: forgetting a word costs time, never a finding.

use std::sync::OnceLock;

/// The words that can spell a health route, for `missing-health-endpoint`
/// (kept here so that the rule and the table share one list).
pub const HEALTH: &[&str] = &[
    "health",
    "Health",
    "HEALTH",
    "livez",
    "readyz",
    "heartbeat",
    "/status",
    "status/",
    // `ping` and `up` only as a whole path segment at a literal's edge:
    // bare `/up` and `ping/` are in every `./update`, `/upload` and
    // `./shipping/` import, and made the health rules lex most files.
    "/ping\"",
    "/ping'",
    "/ping`",
    "\"ping/",
    "'ping/",
    "/ping/\"",
    "/ping/'",
    "/up\"",
    "/up'",
    "/up`",
    "\"up/",
    "'up/",
    "/up/\"",
    "/up/'",
    "\"up\"",
    "'up'",
    "/ready",
    "ready/",
    "/live",
    "live/",
    "/alive",
    "alive/",
    // `/keep-alive`, `/keepalive`.
    "-alive",
    "keepalive",
];

/// Text every file importing a database client contains, for
/// `health-check-misses-dependencies`.
pub const DATABASE_CLIENTS: &[&str] = &[
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
];

/// How JavaScript/TypeScript reads an environment variable
/// (`Facts::env_reads`).
pub const JS_ENV_READS: &[&str] = &["process.env", "import.meta.env", "Bun.env", "Deno.env"];

/// What code in the other languages contains where it reads one
/// (`getenv`, `ENV[…]`, `os.environ`, `${VAR}`).
pub const CODE_ENV_READS: &[&str] = &["env", "ENV", "Env", "${"];

/// What a shell script spells when a repository-wide question about
/// scripts can hold for it (`Facts::shell_script_mentioning`): a script
/// that spells none of these is not parsed for those questions. Most
/// scripts of a repository (lint, test, codegen, dev setup) are neither
/// deployments nor backups, and tree-sitter costs about as much per
/// script as the rest of the audit does per app. Each group lists what its
/// rule's commands are spelled with; a command a rule starts to react to
/// must be spelled by a word here.
pub const SHELL_OPERATIONS: &[&str] = &[
    // A server deployed by hand (manual-server-deployment: `assess` needs
    // a remote host, a web server, pm2, a git pull/reset on the host or a
    // systemd unit of the app).
    "ssh",
    "mosh",
    "scp",
    "rsync",
    "certbot",
    "a2ensite",
    "apache",
    "nginx",
    "pm2",
    "pull",
    "reset",
    "system",
    // The app started detached from the terminal (`nohup java -jar`,
    // `setsid node server.js`).
    "nohup",
    "setsid",
    // Backups made (backups-not-offsite `dump_tool`): dump tools, Redis
    // snapshots, database files copied or archived, `cpio` archives.
    "dump",
    "backup",
    "redis",
    "sqlite",
    ".db",
    ".rdb",
    "cpio",
    // Database servers installed on the host (database-without-backup).
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "percona",
    // Restores (backup-without-restore-test).
    "psql",
    "restore",
    "restic",
    "borg",
    "kopia",
    "wal-g",
    "pgbackrest",
    "litestream",
    "duplicity",
    // Pruning of old backups (backup-without-retention).
    "-mtime",
    "-mmin",
    "-ctime",
    // Pushes to a platform (deploy evidence).
    "heroku",
    "dokku",
];

/// The table's other words, by the rules that ask.
const OTHERS: &[&str] = &[
    // Cache client (health-check-misses-dependencies).
    "redis",
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
    // SQLite opened by code (sqlite-in-production).
    "sqlite",
    "libsql",
    // Backups made by code (backups-not-offsite).
    "dump",
    "backup",
    // Errors mailed and metrics served by the app's own code
    // (no-error-tracking asks of every file of every app it would report).
    "AdminEmailHandler",
    "# TYPE ",
    "/metrics",
    // … and log records mailed by a scheduled job of the app's own
    // (`Mail::`, `MailHelper`, `JavaMailSender`, `sendMail`: `Mail`
    // capitalised, which the `email` fields of most code do not spell).
    "Mail",
    // Literal defaults in env schemas (hardcoded-fallback-secret asks of
    // every source file: outside the table, each was read a second time).
    ".default(",
];

/// The words rules ask about (at most 128): the groups above, then
/// `OTHERS`.
pub fn table() -> &'static [&'static str] {
    static TABLE: OnceLock<Vec<&'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words = [
            HEALTH,
            DATABASE_CLIENTS,
            JS_ENV_READS,
            CODE_ENV_READS,
            SHELL_OPERATIONS,
            OTHERS,
        ]
        .concat();
        // A word two groups ask about (`redis`, `dump`) takes one bit.
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(*w));
        words
    })
}

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
        let i = table().iter().position(|n| n == needle)?;
        bits |= 1 << i;
    }
    Some(bits)
}

/// The mask of the table's words that `text` contains, in one pass over
/// the text (overlapping matches, since `env` is inside `process.env`).
///
/// This runs over every code file of every app, so the loop is our own,
/// over a dense table made once from an Aho-Corasick DFA of the whole
/// table (`Scanner`): one load per byte for its class, one for the next
/// state, and one comparison for "a word ends here". A long text is
/// scanned as two halves in the same loop, two independent state chains
/// the CPU can overlap. The second half starts `longest − 1` bytes early,
/// so a word across the middle is seen whole by it.
pub fn mask_of(bytes: &[u8]) -> u128 {
    static SCANNER: OnceLock<Option<Scanner>> = OnceLock::new();
    let Some(scanner) = SCANNER.get_or_init(Scanner::new) else {
        return table()
            .iter()
            .enumerate()
            .filter(|(_, n)| memchr::memmem::find(bytes, n.as_bytes()).is_some())
            .fold(0, |mask, (i, _)| mask | (1 << i));
    };
    scanner.mask(bytes)
}

/// The DFA of `table()` as a dense transition table over byte classes.
///
/// States are renumbered so that every state where a word ends comes
/// after every other one: "a word ends here" is `state >= first_match`.
/// Entries are premultiplied by the number of classes (the row offset of
/// the next state), so a step is `next[state + class[byte]]`.
struct Scanner {
    class: [u8; 256],
    /// `TRANSITIONS` entries, of which the first `states × classes` are
    /// used: an index masked by `TRANSITIONS − 1` is in bounds by its type,
    /// so the step has no bounds check (a third of its instructions).
    next: Box<[u32; TRANSITIONS]>,
    /// The row offset of the first state where a word ends.
    first_match: u32,
    /// The words that end in each match state, by `(row offset −
    /// first_match) / classes`.
    matches: Vec<u128>,
    classes: u32,
    start: u32,
    longest: usize,
}

/// Room for the DFA's transitions: the table of today has 685 states of
/// 59 classes (40,415 entries). A table that outgrows it gets no scanner
/// (words are then searched one by one), which a test catches.
const TRANSITIONS: usize = 1 << 16;

impl Scanner {
    fn new() -> Option<Scanner> {
        use aho_corasick::automaton::Automaton;
        use aho_corasick::Anchored;

        let words = table();
        let dfa = aho_corasick::dfa::DFA::new(words).ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        let longest = words.iter().map(|n| n.len()).max()?;
        // Bytes that occur in no word all behave alike (class 0); each
        // byte that occurs in one is a class of its own.
        let mut class = [0u8; 256];
        let mut classes = 1usize;
        for b in words.iter().flat_map(|w| w.bytes()) {
            if class[usize::from(b)] == 0 {
                class[usize::from(b)] = u8::try_from(classes).ok()?;
                classes += 1;
            }
        }
        let mut representative = vec![0u8; classes];
        for b in (0..=255u8).rev() {
            representative[usize::from(class[usize::from(b)])] = b;
        }
        // Every state reachable from the start, with its words.
        let words_at = |sid| {
            let mut mask = 0u128;
            if dfa.is_match(sid) {
                for i in 0..dfa.match_len(sid) {
                    mask |= 1 << dfa.match_pattern(sid, i).as_usize();
                }
            }
            mask
        };
        // Breadth first from the start, each state's transitions recorded
        // as places in `order`. The DFA's state ids are offsets into its
        // own table, so a vector indexed by them finds a state's place
        // (a hash set of ids made this a third of the audit of a small
        // repository).
        let unplaced = u32::MAX;
        let mut place: Vec<u32> = Vec::new();
        let mut place_of = |sid: aho_corasick::automaton::StateID, next: usize| {
            let i = sid.as_usize();
            if i >= place.len() {
                place.resize(i + 1, unplaced);
            }
            let fresh = place[i] == unplaced;
            if fresh {
                place[i] = u32::try_from(next).unwrap_or(unplaced);
            }
            (place[i] as usize, fresh)
        };
        let mut order = vec![start];
        place_of(start, 0);
        let mut raw: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            for &b in &representative {
                let to = dfa.next_state(Anchored::No, order[i], b);
                let (at, fresh) = place_of(to, order.len());
                if fresh {
                    order.push(to);
                }
                raw.push(at);
            }
            i += 1;
        }
        // Non-match states first, then match states.
        let masks: Vec<u128> = order.iter().map(|s| words_at(*s)).collect();
        let mut new_index = vec![0usize; order.len()];
        let mut n = 0;
        for matching in [false, true] {
            for (k, mask) in masks.iter().enumerate() {
                if (*mask != 0) == matching {
                    new_index[k] = n;
                    n += 1;
                }
            }
        }
        let plain = masks.iter().filter(|m| **m == 0).count();
        if order.len() * classes > TRANSITIONS {
            return None;
        }
        let mut next: Box<[u32; TRANSITIONS]> =
            vec![0u32; TRANSITIONS].into_boxed_slice().try_into().ok()?;
        for (k, row) in new_index.iter().enumerate() {
            for c in 0..classes {
                next[row * classes + c] =
                    u32::try_from(new_index[raw[k * classes + c]] * classes).ok()?;
            }
        }
        Some(Scanner {
            class,
            next,
            first_match: u32::try_from(plain * classes).ok()?,
            matches: masks.iter().copied().filter(|m| *m != 0).collect(),
            classes: u32::try_from(classes).ok()?,
            start: u32::try_from(new_index[0] * classes).ok()?,
            longest,
        })
    }

    fn words_at(&self, state: u32) -> u128 {
        if state < self.first_match {
            return 0;
        }
        self.matches[((state - self.first_match) / self.classes) as usize]
    }

    fn mask(&self, bytes: &[u8]) -> u128 {
        let step = |state: u32, byte: u8| {
            self.next
                [(state + u32::from(self.class[usize::from(byte)])) as usize & (TRANSITIONS - 1)]
        };
        let mut mask = 0u128;
        let (first, second) = if bytes.len() >= 4 * self.longest {
            let middle = bytes.len() / 2;
            (&bytes[..middle], &bytes[middle + 1 - self.longest..])
        } else {
            (bytes, &bytes[..0])
        };
        let (mut a, mut b) = (self.start, self.start);
        let both = first.len().min(second.len());
        for (&x, &y) in first[..both].iter().zip(&second[..both]) {
            a = step(a, x);
            b = step(b, y);
            if a >= self.first_match || b >= self.first_match {
                mask |= self.words_at(a) | self.words_at(b);
            }
        }
        for &byte in &first[both..] {
            a = step(a, byte);
            if a >= self.first_match {
                mask |= self.words_at(a);
            }
        }
        for &byte in &second[both..] {
            b = step(b, byte);
            if b >= self.first_match {
                mask |= self.words_at(b);
            }
        }
        mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_fits_the_mask_and_has_no_duplicates() {
        let words = table();
        assert!(words.len() <= 128);
        for (i, n) in words.iter().enumerate() {
            assert!(!words[..i].contains(n), "{n} twice");
        }
    }

    #[test]
    fn the_table_fits_the_scanner() {
        assert!(Scanner::new().is_some(), "TRANSITIONS is too small");
    }

    #[test]
    fn the_two_halves_see_every_word_wherever_it_sits() {
        let words = table();
        // Every word at every offset around the middle of a long text,
        // against a plain substring search.
        let filler = "x".repeat(300);
        for (i, word) in words.iter().enumerate() {
            for shift in 0..word.len() + 2 {
                let text = format!("{}{word}{}", &filler[..150 - shift], &filler[..150]);
                assert_ne!(mask_of(text.as_bytes()) & (1 << i), 0, "{word} at {shift}");
            }
        }
        let text = "const x = process.env.HEALTH ?? console.log('up');\n".repeat(20);
        let expected = words
            .iter()
            .enumerate()
            .filter(|(_, n)| text.contains(**n))
            .fold(0u128, |m, (i, _)| m | (1 << i));
        assert_eq!(mask_of(text.as_bytes()), expected);
        assert_eq!(mask_of(b""), 0);
        // Texts of words and filler of every length, against a plain search.
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next(40) {
                match next(3) {
                    0 => text.push_str(words[next(words.len())]),
                    1 => text.push_str(&"ab/.$'\"{ ".repeat(next(5))),
                    _ => text.push(char::from(b'a' + next(26) as u8)),
                }
            }
            let expected = words
                .iter()
                .enumerate()
                .filter(|(_, n)| text.contains(**n))
                .fold(0u128, |m, (i, _)| m | (1 << i));
            assert_eq!(mask_of(text.as_bytes()), expected, "{text:?}");
        }
    }

    #[test]
    fn known_words_are_answered_from_the_mask() {
        let mask = mask_of(b"const url = process.env.DATABASE_URL;\n");
        let bits = bits_of(&["process.env", "import.meta.env"]).expect("known");
        assert_ne!(mask & bits, 0);
        let bits = bits_of(&["health"]).expect("known");
        assert_eq!(mask & bits, 0);
        assert!(bits_of(&["not-a-table-word"]).is_none());
        // Overlapping words are all seen.
        let mask = mask_of(b"import.meta.env.VITE_KEY");
        for word in ["import.meta.env", "env", "VITE_"] {
            let bit = bits_of(&[word]).expect("known");
            assert_ne!(mask & bit, 0, "{word}");
        }
    }
}
