//! `spring::SpringConfig::parse` as `.properties` and as YAML, with and
//! without a profile in the file name: no panic, no hang, bounded memory.
//! Every property's line is inside the file; a profile from the file name
//! is applied to every document that names none.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::spring::SpringConfig;
use seaworthy_fuzz::{lossy, Lines};

const NAMES: [&str; 4] = [
    "application.properties",
    "application-prod.properties",
    "application.yml",
    "application-prod.yaml",
];

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    for name in NAMES {
        let Ok(cfg) = SpringConfig::parse(name, &text) else {
            continue;
        };
        for doc in &cfg.documents {
            for (key, _, line) in &doc.properties {
                lines.assert_in(&format_args!("{name} property {key:?}"), *line);
            }
            if name.contains("-prod") {
                assert!(doc.profile.is_some());
            }
            let _ = doc.get("spring.datasource.url");
        }
    }
});
