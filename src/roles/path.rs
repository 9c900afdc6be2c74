//! What a path alone says a file is for: tests, examples, fixtures,
//! playgrounds, templates, a library's development harness. These
//! predicates sit below the index (which decides them once per file, see
//! `IndexedFile::non_product`), below the facts and the app discovery, and
//! are the first evidence of the file-role model (`crate::roles`).

/// Folder names that hold examples, fixtures, playgrounds and documentation
/// sites rather than the product: apps under them are not audited as
/// production apps. A folder matches when one of its `-`/`_`-separated words
/// is listed (`playground-v6`, `e2e-tests`).
pub const NON_PRODUCT_WORDS: &[&str] = &[
    "__fixtures__",
    "__tests__",
    "bench",
    "benchmark",
    "benchmarks",
    "demo",
    "demos",
    "doc",
    "docs",
    "documentation",
    "dummy",
    "e2e",
    "example",
    "examples",
    "fixture",
    "fixtures",
    "fake",
    "mock",
    "mocks",
    "playground",
    "playgrounds",
    "sample",
    "samples",
    "sandbox",
    "sandboxes",
    "storybook",
    "stub",
    "stubs",
    "template",
    "templates",
    "test",
    "tests",
];

/// Whether a path sits in a folder that is not the product (tests, examples,
/// playgrounds, templates with `{{ placeholders }}`, …). Below a `src`
/// folder only `src/test`-style folders count: deeper folders are source
/// packages (`src/main/java/com/example/demo` is the product).
pub fn is_non_product_path(rel: &str) -> bool {
    non_product_folder(rel).is_some()
}

/// The folder of `rel` that makes it a non-product path
/// (`is_non_product_path`): `examples`, `test`, `src/test`, a `{{ … }}`
/// template folder. The index asks for every file, so this is the one
/// walk over the folders.
pub fn non_product_folder(rel: &str) -> Option<&str> {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut parts = dir.split('/');
    // Template placeholders are rare: one search of the folder decides
    // whether the parts need looking at for them.
    let braces = memchr::memchr(b'{', dir.as_bytes()).is_some();
    while let Some(part) = parts.next() {
        if braces && (part.contains("{{") || part.contains("{%")) {
            return Some(part);
        }
        if part == "src" {
            return parts.next().filter(|next| {
                matches!(
                    *next,
                    "test" | "tests" | "it" | "integrationTest" | "testFixtures"
                )
            });
        }
        if is_non_product_word(part) {
            return Some(part);
        }
    }
    None
}

/// Whether a file is a test by its name (`x.test.ts`, `x_test.go`,
/// `test_x.py`, `XTest.java`, …), wherever it sits.
pub fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    // `.test.`, `.spec.`, `.e2e.`: a dot-separated part between two dots
    // (split rather than substring searches: every file of the tree passes).
    let mut parts = name.split('.');
    parts.next();
    let mut inner = parts.rev().skip(1);
    inner.any(|p| matches!(p, "test" | "spec" | "e2e"))
        || name.ends_with("_test.go")
        || name.ends_with("_spec.rb")
        || name.ends_with("_test.rb")
        || (name.starts_with("test_") && name.ends_with(".py"))
        || name.ends_with("_test.py")
        || name.ends_with("Test.java")
        || name.ends_with("Tests.java")
        || name.ends_with("Test.kt")
}

/// Whether a package folder is a library's development harness (`apps/dev/…`,
/// `dev/playground`): its apps are not the product. Only for discovering
/// apps — a `dev/build/Dockerfile` can still build the product.
pub fn is_dev_harness_path(rel: &str) -> bool {
    let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    dir.split('/').any(|p| p == "dev")
}

/// Whether a folder name says "not the product".
pub fn is_non_product_word(name: &str) -> bool {
    has_word(name, &NON_PRODUCT)
}

/// Whether the last `/`-segment of `name`, or one of its `-`/`_`/`.`/`@`
/// separated words, is in `words` (case-insensitive).
fn has_word(name: &str, words: &WordList) -> bool {
    // Compared without lowering a copy: this runs for every folder of
    // every file some rule asks about. Most words are rejected by their
    // first letter and length alone (`WordList::shapes`).
    let last = name.rsplit('/').next().unwrap_or(name);
    let listed = |w: &str| {
        let Some(first) = w.as_bytes().first() else {
            return false;
        };
        let shapes = words.shapes[first.to_ascii_lowercase() as usize];
        w.len() < 64
            && shapes & (1u64 << w.len()) != 0
            && words.words.iter().any(|word| w.eq_ignore_ascii_case(word))
    };
    listed(last) || last.split(['-', '_', '.', '@']).any(listed)
}

/// Words with, per lowercase first byte, a bit per word length that occurs.
struct WordList {
    words: &'static [&'static str],
    shapes: [u64; 256],
}

impl WordList {
    const fn new(words: &'static [&'static str]) -> WordList {
        let mut shapes = [0u64; 256];
        let mut i = 0;
        while i < words.len() {
            let bytes = words[i].as_bytes();
            if !bytes.is_empty() && bytes.len() < 64 {
                shapes[bytes[0].to_ascii_lowercase() as usize] |= 1u64 << bytes.len();
            }
            i += 1;
        }
        WordList { words, shapes }
    }
}

static NON_PRODUCT: WordList = WordList::new(NON_PRODUCT_WORDS);
static NON_PRODUCT_NAMES: WordList = WordList::new(NON_PRODUCT_NAME_WORDS);

/// Words that mark a package *name* as not the product. Narrower than the
/// folder words: a product called `acme-storefront-template` still ships.
const NON_PRODUCT_NAME_WORDS: &[&str] = &[
    "demo",
    "demos",
    "e2e",
    "example",
    "examples",
    "fixture",
    "fixtures",
    "playground",
    "playgrounds",
    "sandbox",
    "storybook",
];

/// Whether a package name (`orbit-playground`, Go's `module example`) says
/// "not the product".
pub fn is_non_product_name(name: &str) -> bool {
    has_word(name, &NON_PRODUCT_NAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_known_by_name() {
        for name in [
            "a/b.test.ts",
            "b.spec.tsx",
            "x.e2e.js",
            ".test.ts",
            "a.test.d.ts",
            "server_test.go",
            "user_spec.rb",
            "test_views.py",
            "views_test.py",
            "UserTest.java",
            "UserTests.java",
            "UserTest.kt",
        ] {
            assert!(is_test_file(name), "{name}");
        }
        for name in [
            "test.ts",
            "a/test/x.ts",
            "latest.ts",
            "x.ts.test",
            "spec.md",
            "contest.py",
        ] {
            assert!(!is_test_file(name), "{name}");
        }
    }

    #[test]
    fn non_product_paths() {
        assert!(is_non_product_path("examples/blog/package.json"));
        assert!(is_non_product_path("test/fixtures/app/package.json"));
        assert!(!is_non_product_path("apps/web/package.json"));
        assert!(!is_non_product_path("package.json"));
    }
}
