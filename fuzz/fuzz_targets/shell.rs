//! `ShellScript::parse` (tree-sitter-bash) on any text: no panic, no hang,
//! bounded memory (the walk over the tree is iterative, so deep nesting must
//! not overflow the stack). Commands, assignments and redirects have lines
//! inside the file; a command's name is the basename of its program; the
//! derived queries (`exits_on_error`, `subcommand`) answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::shell::ShellScript;
use seaworthy_fuzz::{lossy, Lines};

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    let Ok(script) = ShellScript::parse(&text) else {
        return;
    };
    for c in &script.commands {
        lines.assert_in(&"command", c.line);
        assert!(!c.name.contains('/'), "name {:?} is a basename", c.name);
        assert!(c.program.ends_with(&c.name));
        let _ = c.subcommand();
        let _ = c.has_arg("-e");
    }
    for a in &script.assignments {
        lines.assert_in(&"assignment", a.line);
    }
    for (_, line) in &script.redirects {
        lines.assert_in(&"redirect", *line);
    }
    let _ = script.exits_on_error();
});
