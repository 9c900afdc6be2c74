//! `EnvFile::parse` on any text: no panic, no hang, bounded memory. Every
//! variable has a non-empty name of the allowed characters, sits on a line
//! inside the file that spells its name, lines only grow, and `get` finds
//! the first variable of a name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::env_file::EnvFile;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let env = EnvFile::parse(&text);
    let mut last = 0;
    for var in &env.vars {
        assert!(!var.name.is_empty());
        assert!(var
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
        lines.assert_on(&"env var", &var.name, var.line);
        assert!(var.line > last, "one variable per line, in order");
        last = var.line;
        let first = env.get(&var.name).expect("get finds a parsed name");
        assert!(first.line <= var.line);
    }
});
