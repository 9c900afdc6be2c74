//! `PrismaSchema::parse` on any text: no panic, no hang, bounded memory.
//! When it parses: each datasource's line is inside the file and spells
//! `datasource`; a `provider`/`url` setting's line spells its key (a drift in
//! the tokenizer's line count shows up here); names and preview features are
//! non-empty words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::prisma::PrismaSchema;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let Ok(schema) = PrismaSchema::parse(&text) else {
        return;
    };
    for ds in &schema.datasources {
        assert!(!ds.name.is_empty());
        lines.assert_on(&"datasource block", "datasource", ds.line);
        if let Some(p) = &ds.provider {
            lines.assert_on(&"provider setting", "provider", p.line);
            let _ = p.value.as_literal();
        }
        if let Some(u) = &ds.url {
            lines.assert_on(&"url setting", "url", u.line);
        }
    }
    for g in &schema.generators {
        assert!(!g.name.is_empty());
        assert!(g.preview_features.iter().all(|f| !f.is_empty()));
    }
});
