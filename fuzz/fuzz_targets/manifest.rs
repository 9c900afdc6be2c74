//! `facts::manifest::parse` for every manifest `FileKind` (requirements,
//! pyproject, Pipfile, Gemfile, composer.json, pom.xml, Gradle, go.mod,
//! Cargo.toml) on the same text: no panic, no hang, bounded memory (XML
//! entities, deep TOML/JSON). When it parses: the text is kept whole and
//! `line_of` each dependency is inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::manifest;
use seaworthy::index::FileKind;
use seaworthy_fuzz::{lossy, Lines};

const KINDS: [FileKind; 9] = [
    FileKind::Requirements,
    FileKind::PyProject,
    FileKind::Pipfile,
    FileKind::Gemfile,
    FileKind::ComposerJson,
    FileKind::MavenPom,
    FileKind::Gradle,
    FileKind::GoMod,
    FileKind::CargoToml,
];

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    for kind in KINDS {
        let Ok(m) = manifest::parse(kind, text.clone()) else {
            continue;
        };
        assert_eq!(m.text, text);
        for name in m.dependencies.keys().take(32) {
            assert!(m.has(name));
            lines.assert_in(&format_args!("{kind:?} line_of({name:?})"), m.line_of(name));
        }
        let _ = m.line_of("sentry-sdk");
    }
});
