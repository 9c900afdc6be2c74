//! `rails::DatabaseYml::parse` (ERB stripped, then YAML) on any text: no
//! panic, no hang, bounded memory (`primary` follows nested `primary:` keys).
//! Each environment's line is inside the file; an adapter from ERB is an
//! adapter; `environment` finds what was parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::rails::DatabaseYml;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let Ok(yml) = DatabaseYml::parse(&text) else {
        return;
    };
    for (env, db) in &yml.environments {
        lines.assert_in(&format_args!("environment {env:?}"), db.line);
        assert!(!db.adapter_from_erb || db.adapter.is_some());
        assert!(yml.environment(env).is_some());
    }
});
