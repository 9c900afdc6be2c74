//! `seaworthy.toml`: the deserializer `Config::load` uses
//! (`toml::from_str::<Config>`) on the text, and `Config::load` itself on
//! the same bytes written to a file (there is no string API, so validation —
//! rule names, severities, dates, globs — is only reachable through a path).
//! No panic, no hang, bounded memory. A config that loads also deserializes;
//! the queries the audit makes of a loaded config (`is_disabled`,
//! `severity_override`, `ignored_paths`, `globs`, `parse_date`) answer.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use seaworthy::config::{self, Config};
use seaworthy_fuzz::lossy;

/// One file per fuzzing process, under $TMPDIR (scripts/fuzz.sh points it
/// at a folder it removes afterwards).
fn config_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("seaworthy-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join(config::FILE_NAME)
    })
}

fn query(config: &Config) {
    for rule in seaworthy::rules::ALL {
        let name = rule.meta.name;
        let _ = config.is_disabled(name, None);
        for app in config.apps.keys().take(8) {
            let _ = config.is_disabled(name, Some(app));
        }
        let _ = config.severity_override(name);
    }
    let ignored = config.ignored_paths();
    let _ = ignored.is_match("apps/web/package.json");
    for s in config.suppress.iter().take(8) {
        let _ = config::globs(&s.paths).is_match("scripts/backup.sh");
        if let Some(date) = &s.expires {
            let _ = config::parse_date(date);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let parsed = toml::from_str::<Config>(&text);
    if let Ok(config) = &parsed {
        query(config);
    }
    let path = config_path();
    std::fs::write(path, data).expect("write config");
    if let Ok(config) = Config::load(path) {
        assert!(parsed.is_ok(), "loads from a file but does not deserialize");
        query(&config);
    }
    let _ = config::parse_date(&text);
});
