//! The source lexer (`facts::code::tokenize`) and everything read from its
//! tokens (`route_paths`, `path_literals`, `string_properties`,
//! `notable_identifiers`, `has_ident`, `facts::database::literals`), for
//! every `Lang`: no panic, no hang, bounded memory (template-literal nesting
//! is bounded). Token lines never decrease and stay inside the file; an
//! identifier or punctuation token is written on the line it is reported on
//! (so the lexer's line count does not drift); every line the readers report
//! is inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seaworthy::facts::code::{self, Lang, Token};
use seaworthy::facts::database;
use seaworthy_fuzz::{lossy, Lines};

const LANGS: [Lang; 6] = [
    Lang::Js,
    Lang::CLike,
    Lang::Rust,
    Lang::Php,
    Lang::Python,
    Lang::Ruby,
];

fuzz_target!(|data: &[u8]| {
    let text = lossy(data);
    let lines = Lines::new(&text);
    for lang in LANGS {
        let tokens = code::tokenize(&text, lang);
        let mut last = 1;
        for t in &tokens {
            assert!(t.line >= last, "{lang:?}: token lines go back");
            last = t.line;
            match &t.token {
                Token::Ident(word) => {
                    assert!(!word.is_empty());
                    lines.assert_on(&format_args!("{lang:?} identifier"), word, t.line);
                }
                Token::Punct(c) => lines.assert_on(
                    &format_args!("{lang:?} punctuation"),
                    c.encode_utf8(&mut [0; 4]),
                    t.line,
                ),
                Token::Str(_) | Token::Value => lines.assert_in(&"token", t.line),
            }
        }
        for (_, line) in code::route_paths(&tokens, lang) {
            lines.assert_in(&"route path", line);
        }
        for (path, line) in code::path_literals(&tokens) {
            assert!(path.starts_with('/'));
            lines.assert_in(&"path literal", line);
        }
        let opened = tokens
            .iter()
            .filter(|t| matches!(t.token, Token::Punct('{' | '[' | '(')))
            .count();
        for p in code::string_properties(&tokens) {
            lines.assert_in(&"string property", p.line);
            assert!(
                p.path.len() <= opened,
                "a property inside more objects than were opened"
            );
        }
        let _ = code::notable_identifiers(&tokens);
        let _ = code::has_ident(&tokens, "GET");
        for lit in database::literals(&tokens, &text, lang) {
            lines.assert_in(&"database literal", lit.line);
            assert!(lang == Lang::Python || !lit.test_only);
        }
    }
});
