//! `facts::yaml::load` and `ComposeFile::parse` on any text: no panic, no
//! hang, bounded memory (YAML aliases are expanded by copying, so a
//! "billion laughs" document is a memory bomb; deep nesting must not overflow
//! the stack). `line_of_key` and service lines stay inside the file; compose
//! parses exactly when the YAML loads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::compose::ComposeFile;
use seaworthy::facts::yaml;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let loaded = yaml::load(&text);
    if let Ok(docs) = &loaded {
        for d in docs.iter().take(8) {
            let _ = yaml::get_str(d, "apiVersion");
            let _ = yaml::get_str(d, "kind");
            let _ = yaml::get(d, "services");
        }
    }
    for key in ["services", "build", "image"] {
        lines.assert_in(&"line_of_key", yaml::line_of_key(&text, key, 1));
    }
    let compose = ComposeFile::parse(&text);
    assert_eq!(compose.is_ok(), loaded.is_ok());
    if let Ok(c) = compose {
        for s in &c.services {
            lines.assert_in(&"service", s.line);
        }
    }
});
