//! Which folder holds a file, answered from indexes built once per audit.
//!
//! Rules ask, for every app, "which of the repository's Dockerfiles,
//! scripts or manifests are this app's?". Answering that by scanning every
//! such file and comparing it with every other app's folder costs
//! O(files × apps) per app — quadratic in apps on a monorepo of services.
//! File ids grow with the path order, so the files under a folder are one
//! id range, and nested folders are nested ranges: one binary search finds
//! the innermost folder holding a file, and the answer for every app comes
//! from a table built once.

use std::collections::HashMap;
use std::ops::Range;

use crate::apps::App;
use crate::index::{FileId, Index};

/// Id ranges that nest (folders inside folders), each with a value, for
/// "the innermost range holding this id" in one binary search.
#[derive(Debug)]
pub struct NestedRanges<T> {
    /// (range, value, index of the enclosing entry), sorted by range start;
    /// an enclosing range comes before the ranges inside it.
    entries: Vec<(Range<FileId>, T, Option<usize>)>,
}

impl<T> Default for NestedRanges<T> {
    fn default() -> Self {
        NestedRanges {
            entries: Vec::new(),
        }
    }
}

impl<T> NestedRanges<T> {
    /// Ranges must nest or be disjoint (folders do). Of two equal ranges,
    /// the later one given counts as the inner one.
    pub fn build(items: impl IntoIterator<Item = (Range<FileId>, T)>) -> NestedRanges<T> {
        let mut entries: Vec<(Range<FileId>, T, Option<usize>)> = items
            .into_iter()
            .filter(|(r, _)| !r.is_empty())
            .map(|(r, v)| (r, v, None))
            .collect();
        // Enclosing ranges first when two start at the same id; the sort is
        // stable, so equal ranges keep the order they were given in.
        entries.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
        let mut open: Vec<usize> = Vec::new();
        for i in 0..entries.len() {
            while let Some(&top) = open.last() {
                if entries[top].0.end > entries[i].0.start {
                    break;
                }
                open.pop();
            }
            entries[i].2 = open.last().copied();
            open.push(i);
        }
        NestedRanges { entries }
    }

    /// The values of the ranges holding `id`, innermost first.
    pub fn enclosing(&self, id: FileId) -> impl Iterator<Item = &T> + '_ {
        let before = self.entries.partition_point(|(r, _, _)| r.start <= id);
        let mut at = before.checked_sub(1);
        // The last range starting at or before `id` may have ended; its
        // chain of enclosing ranges holds every candidate.
        while let Some(i) = at {
            if self.entries[i].0.contains(&id) {
                break;
            }
            at = self.entries[i].2;
        }
        std::iter::from_fn(move || {
            let i = at?;
            at = self.entries[i].2;
            Some(&self.entries[i].1)
        })
    }

    /// The value of the innermost range holding `id`.
    pub fn innermost(&self, id: FileId) -> Option<&T> {
        self.enclosing(id).next()
    }
}

/// The apps' folders as nested id ranges and by name.
#[derive(Debug, Default)]
pub struct AppFolders {
    /// Apps outside the root, by their folder's id range (index into `apps`).
    ranges: NestedRanges<usize>,
    /// The apps of each folder ("" for the root), in their order.
    by_dir: HashMap<String, Vec<usize>>,
    /// The last app at the root, if any.
    root_app: Option<usize>,
}

impl AppFolders {
    pub fn build(index: &Index, apps: &[App]) -> AppFolders {
        let mut by_dir: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, app) in apps.iter().enumerate() {
            by_dir.entry(app.dir().to_string()).or_default().push(i);
        }
        AppFolders {
            ranges: NestedRanges::build(
                apps.iter()
                    .enumerate()
                    .filter(|(_, a)| !a.dir().is_empty())
                    .map(|(i, a)| (index.ids_under(a.dir()), i)),
            ),
            by_dir,
            root_app: apps.iter().rposition(|a| a.dir().is_empty()),
        }
    }

    /// The deepest app folder (not the root) holding the file, as an index
    /// into the apps; of two apps in one folder, the later.
    pub fn innermost(&self, id: FileId) -> Option<usize> {
        self.ranges.innermost(id).copied()
    }

    /// The deepest app holding the file, the root app included.
    pub fn deepest_or_root(&self, id: FileId) -> Option<usize> {
        self.innermost(id).or(self.root_app)
    }

    /// The first app whose folder is `dir` ("" for the root).
    pub fn at(&self, dir: &str) -> Option<usize> {
        self.by_dir.get(dir).and_then(|apps| apps.first()).copied()
    }

    /// The deepest app folder (not the root) strictly above the path `rel`,
    /// whether or not the path is a file of the index; of two apps in one
    /// folder, the later.
    pub fn holding_path(&self, rel: &str) -> Option<usize> {
        let parent = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        self_and_ancestors(parent)
            .find_map(|dir| self.by_dir.get(dir))
            .and_then(|apps| apps.last())
            .copied()
    }

    /// Whether some app lives in `dir`.
    pub fn is_app_dir(&self, dir: &str) -> bool {
        self.by_dir.contains_key(dir)
    }
}

/// `dir` and the folders above it, up to and without the root.
pub fn self_and_ancestors(dir: &str) -> impl Iterator<Item = &str> {
    let mut next = (!dir.is_empty()).then_some(dir);
    std::iter::from_fn(move || {
        let current = next?;
        next = current.rsplit_once('/').map(|(parent, _)| parent);
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn innermost_and_enclosing_follow_the_nesting() {
        // 0..10 holds 2..5 (which holds 3..4) and 6..9.
        let ranges = NestedRanges::build(vec![(2..5, "b"), (0..10, "a"), (6..9, "d"), (3..4, "c")]);
        assert_eq!(ranges.innermost(0), Some(&"a"));
        assert_eq!(ranges.innermost(3), Some(&"c"));
        assert_eq!(ranges.innermost(4), Some(&"b"));
        assert_eq!(ranges.innermost(5), Some(&"a"));
        assert_eq!(ranges.innermost(7), Some(&"d"));
        assert_eq!(ranges.innermost(10), None);
        assert_eq!(
            ranges.enclosing(3).copied().collect::<Vec<_>>(),
            vec!["c", "b", "a"]
        );
        // Equal ranges: the later one given is the inner one.
        let equal = NestedRanges::build(vec![(0..4, 1), (0..4, 2)]);
        assert_eq!(equal.innermost(1), Some(&2));
        assert_eq!(equal.enclosing(1).copied().collect::<Vec<_>>(), vec![2, 1]);
    }

    #[test]
    fn ancestors_stop_before_the_root() {
        assert_eq!(
            self_and_ancestors("a/b/c").collect::<Vec<_>>(),
            vec!["a/b/c", "a/b", "a"]
        );
        assert_eq!(self_and_ancestors("").count(), 0);
    }
}
