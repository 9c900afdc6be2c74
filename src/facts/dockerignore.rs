//! `.dockerignore` files, matched as BuildKit does (moby's patternmatcher):
//! one pattern a line, `#` comments, `!` re-includes, a leading `/` is the
//! context root, `*` and `?` stay within one path segment, `**` spans any
//! number of them, and a pattern that matches a folder excludes everything
//! in it. The last matching pattern decides. Unlike `.gitignore`, a bare
//! `node_modules` matches only at the context root.

use globset::{GlobBuilder, GlobMatcher};

#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written, without `!`.
    pub text: String,
    pub negated: bool,
    pub line: u32,
    matcher: GlobMatcher,
}

#[derive(Debug, Default)]
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Never fails: a pattern that is not a valid glob is skipped, as
    /// BuildKit would fail the build on it rather than copy the file.
    pub fn parse(text: &str) -> DockerIgnore {
        let mut patterns = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, body) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(body);
            if cleaned.is_empty() {
                continue;
            }
            let Some(matcher) = compile(&cleaned) else {
                continue;
            };
            patterns.push(Pattern {
                text: cleaned,
                negated,
                line: i as u32 + 1,
                matcher,
            });
        }
        DockerIgnore { patterns }
    }

    /// Whether `path` (relative to the context root, forward slashes) is
    /// left out of the build context.
    pub fn excludes(&self, path: &str) -> bool {
        let path = clean(path);
        let mut excluded = false;
        for p in &self.patterns {
            if matches_or_parent(&p.matcher, &path) {
                excluded = !p.negated;
            }
        }
        excluded
    }
}

/// `filepath.Clean` for the patterns people write: no leading `/` or `./`,
/// no trailing `/`, `.` segments dropped.
fn clean(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn compile(pattern: &str) -> Option<GlobMatcher> {
    let build = |p: &str| {
        GlobBuilder::new(p)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .ok()
            .map(|g| g.compile_matcher())
    };
    // `a**b` is not a recursive wildcard for globset; BuildKit reads it as
    // two stars, which within one segment is one star.
    build(pattern).or_else(|| build(&pattern.replace("**", "*")))
}

fn matches_or_parent(matcher: &GlobMatcher, path: &str) -> bool {
    if matcher.is_match(path) {
        return true;
    }
    let mut end = path.len();
    while let Some(at) = path[..end].rfind('/') {
        if matcher.is_match(&path[..at]) {
            return true;
        }
        end = at;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_negations_and_recursive_wildcards() {
        let ignore = DockerIgnore::parse(
            "# comment\n\n/node_modules\n**/.env*\n!.env.example\n.git/\n*.md\n!README.md\n",
        );
        assert!(ignore.excludes("node_modules/react/index.js"));
        assert!(!ignore.excludes("apps/web/node_modules/react/index.js"));
        assert!(ignore.excludes(".env"));
        assert!(ignore.excludes("apps/web/.env.local"));
        assert!(!ignore.excludes(".env.example"));
        assert!(ignore.excludes(".git/HEAD"));
        assert!(ignore.excludes("CHANGELOG.md"));
        assert!(!ignore.excludes("README.md"));
        assert!(!ignore.excludes("docs/guide.md"));
        assert!(!ignore.excludes("src/index.ts"));
        assert_eq!(ignore.patterns[0].line, 3);
    }

    #[test]
    fn allow_lists_exclude_everything_else() {
        let ignore = DockerIgnore::parse("*\n!src\n!package.json\n");
        assert!(ignore.excludes(".git/config"));
        assert!(ignore.excludes(".env"));
        assert!(!ignore.excludes("src/main.ts"));
        assert!(!ignore.excludes("package.json"));
    }

    #[test]
    fn odd_patterns_do_not_fail() {
        let ignore = DockerIgnore::parse("[\nfoo**bar\n!\n");
        assert!(ignore.excludes("fooxbar"));
        assert!(!ignore.excludes("other"));
    }
}
