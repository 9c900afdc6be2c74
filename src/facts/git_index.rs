//! The paths git tracks, read from `.git/index`. The walk honours
//! .gitignore, so a file that was committed before it was ignored (a `.env`
//! added to .gitignore too late, a `config/` folder ignored after its first
//! commit) would be invisible to it — yet it is in every clone. The walk
//! adds such files back from here (`walk::add_tracked_ignored`).

use std::path::{Path, PathBuf};

/// The git directory of a working tree: `.git/`, or the folder a `.git`
/// file points to (worktrees, submodules).
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let target = text.trim().strip_prefix("gitdir:")?.trim();
    let path = Path::new(target);
    Some(if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    })
}

/// The repository's name as its `origin` remote gives it (`shop` for
/// `git@github.com:acme/shop.git`): what the project is called whatever
/// the folder it is checked out in. Read from the git config of the
/// working tree whose top is `root` (for a linked worktree, the common one).
pub fn remote_repository_name(root: &Path) -> Option<String> {
    let dir = git_dir(root)?;
    let common = std::fs::read_to_string(dir.join("commondir"))
        .ok()
        .map(|c| dir.join(c.trim()))
        .unwrap_or(dir);
    let config = std::fs::read(common.join("config")).ok()?;
    if config.len() > 1024 * 1024 {
        return None;
    }
    let config = String::from_utf8_lossy(&config);
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.split_whitespace().collect::<Vec<_>>() == ["[remote", "\"origin\"]"];
            continue;
        }
        if !in_origin {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "url" {
            continue;
        }
        let url = value.trim().trim_end_matches('/');
        let last = url.rsplit(['/', ':']).next()?;
        let name = last.strip_suffix(".git").unwrap_or(last);
        return (!name.is_empty()).then(|| name.to_string());
    }
    None
}

/// Paths (relative to `root`, forward slashes) tracked by the git
/// repository whose top is `root`. Empty when `root` is not the top of a
/// git working tree or the index cannot be read.
pub fn tracked_paths(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for_each_entry(root, |path, _| {
        out.push(String::from_utf8_lossy(path).into_owned())
    });
    out
}

/// The git index of the working tree whose top is `root`, read whole; `None`
/// when there is none (an extracted archive, a folder inside a repository)
/// or it is absurdly large.
fn read_index(root: &Path) -> Option<Vec<u8>> {
    let dir = git_dir(root)?;
    // Refuse absurd sizes rather than read them whole.
    let index = dir.join("index");
    if std::fs::metadata(&index).map_or(true, |m| m.len() > 512 * 1024 * 1024) {
        return None;
    }
    std::fs::read(&index).ok()
}

/// Calls `visit` with each index entry's path (bytes, as git stores them)
/// and mode (`0o100644`, `0o120000` for a symlink, `0o160000` for a
/// submodule), in the index's order, which is byte order of the paths.
/// Nothing is allocated per entry: the walk calls this on every audit.
/// Returns whether an index was read.
pub fn for_each_entry(root: &Path, visit: impl FnMut(&[u8], u32)) -> bool {
    match read_index(root) {
        Some(bytes) => parse_entries(&bytes, visit).is_some(),
        None => false,
    }
}

/// Parses index versions 2, 3 and 4.
#[cfg(test)]
fn parse(bytes: &[u8]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    parse_entries(bytes, |path, _| {
        out.push(String::from_utf8_lossy(path).into_owned())
    })?;
    Some(out)
}

/// Parses index versions 2, 3 and 4, handing each entry to `visit`. `None`
/// when the bytes are not an index or end early (entries before the break
/// have been visited).
fn parse_entries(bytes: &[u8], mut visit: impl FnMut(&[u8], u32)) -> Option<()> {
    if bytes.get(0..4)? != b"DIRC" {
        return None;
    }
    let be32 = |at: usize| -> Option<u32> {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let version = be32(4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(8)? as usize;
    let mut at = 12;
    // Version 4 stores each path as a suffix of the previous one.
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        // ctime, mtime, dev and ino (4 bytes each, times twice) come first.
        let mode = be32(at + 24)?;
        let flags = u16::from_be_bytes([*bytes.get(at + 60)?, *bytes.get(at + 61)?]);
        at += 62;
        if version >= 3 && flags & 0x4000 != 0 {
            at += 2;
        }
        if version == 4 {
            // A varint of bytes to drop from the previous path, then the
            // rest of this path, NUL-terminated.
            let mut byte = *bytes.get(at)?;
            at += 1;
            let mut strip = (byte & 0x7f) as usize;
            while byte & 0x80 != 0 {
                byte = *bytes.get(at)?;
                at += 1;
                strip = ((strip + 1) << 7) | (byte & 0x7f) as usize;
            }
            let end = at + bytes.get(at..)?.iter().position(|b| *b == 0)?;
            let keep = previous.len().checked_sub(strip)?;
            previous.truncate(keep);
            previous.extend_from_slice(&bytes[at..end]);
            at = end + 1;
            visit(&previous, mode);
        } else {
            let end = at + memchr::memchr(0, bytes.get(at..)?)?;
            // Entries are NUL-padded to a multiple of 8 bytes.
            let len = end - start;
            visit(&bytes[at..end], mode);
            at = start + ((len + 8) & !7);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_v2(path: &str) -> Vec<u8> {
        let mut e = vec![0u8; 62];
        let flags = path.len() as u16;
        e[60..62].copy_from_slice(&flags.to_be_bytes());
        e.extend_from_slice(path.as_bytes());
        let len = e.len();
        e.resize((len + 8) & !7, 0);
        e
    }

    #[test]
    fn reads_version_2_entries() {
        let mut bytes = b"DIRC".to_vec();
        bytes.extend_from_slice(&2u32.to_be_bytes());
        bytes.extend_from_slice(&2u32.to_be_bytes());
        bytes.extend(entry_v2(".env.prod"));
        bytes.extend(entry_v2("app/main.py"));
        assert_eq!(
            parse(&bytes),
            Some(vec![".env.prod".to_string(), "app/main.py".to_string()])
        );
        assert_eq!(parse(b"DIRC"), None);
        assert_eq!(parse(b"nope"), None);
    }
}

#[cfg(test)]
mod remote_tests {
    use super::remote_repository_name;

    #[test]
    fn the_origin_url_names_the_repository() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = dir.path().join(".git");
        std::fs::create_dir(&git).expect("mkdir");
        std::fs::write(
            git.join("config"),
            "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://example.com/x/other.git\n[remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n",
        )
        .expect("write");
        assert_eq!(remote_repository_name(dir.path()).as_deref(), Some("shop"));
        std::fs::write(
            git.join("config"),
            "[remote \"origin\"]\n  url = https://github.com/acme/web-app/\n",
        )
        .expect("write");
        assert_eq!(
            remote_repository_name(dir.path()).as_deref(),
            Some("web-app")
        );
        std::fs::write(git.join("config"), "[core]\n").expect("write");
        assert_eq!(remote_repository_name(dir.path()), None);
    }
}
