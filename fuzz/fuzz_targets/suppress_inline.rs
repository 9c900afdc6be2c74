//! `suppress::parse_inline` on any text: no panic, no hang, bounded memory.
//! Each suppression sits on a line inside the file that carries the marker,
//! names at least one known rule and gives a trimmed, non-empty reason; each
//! problem names a line inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::suppress::parse_inline;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let (found, problems) = parse_inline(&text);
    for s in &found {
        lines.assert_on(&"suppression", "seaworthy:ignore", s.line);
        assert!(!s.rules.is_empty());
        assert!(s
            .rules
            .iter()
            .all(|r| seaworthy::rules::find(r).is_some_and(|rule| rule.meta.name == r)));
        assert!(!s.reason.is_empty());
        assert_eq!(s.reason.trim(), s.reason);
    }
    for p in &problems {
        let n: u32 = p
            .strip_prefix("line ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("problem without a line: {p:?}"));
        lines.assert_in(&"problem", n);
    }
});
