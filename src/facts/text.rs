//! Reading a file's text, with the limits that keep the audit safe on trees
//! nobody has cleaned: a size cap, binary detection, a BOM stripped.

use std::io::Read;
use std::path::Path;

/// Files larger than this are not read: no manifest or config is this big, and
/// a generated or vendored blob would only slow the audit down.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

pub fn read_text(path: &Path, max_size: u64) -> Result<String, String> {
    with_file_bytes(path, max_size, |bytes| {
        if let Some(text) = utf16(bytes) {
            return text;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            // Configs in Latin-1 still carry ASCII keys; read them lossily
            // rather than losing the file.
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        };
        match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        }
    })
}

/// A file that starts with a UTF-16 byte order mark, decoded (YAML and
/// JSON parsers accept UTF-16; Windows editors write it).
fn utf16(bytes: &[u8]) -> Option<String> {
    let big_endian = match bytes {
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// The `#` comment lines at the top of a file (before its first other
/// line), lower-cased and joined: where compose files and Dockerfiles say
/// what they are for.
pub fn header_comment(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("---"))
        .filter(|l| l.starts_with('#'))
        .map(|l| l.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the file starts with a shell's `#!` line (`#!/bin/sh`,
/// `#!/usr/bin/env bash`, `#!/usr/bin/env -S bash -e`). Reads the first
/// bytes only: the files asked about (extension-less files in `bin/`,
/// `deploy/`, …) are as often compiled programs or other languages.
pub fn has_shell_shebang(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(len) = file.read(&mut head) else {
        return false;
    };
    let Some(rest) = head[..len].strip_prefix(b"#!") else {
        return false;
    };
    let line = rest.split(|b| *b == b'\n').next().unwrap_or(rest);
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let mut name = program.rsplit('/').next().unwrap_or(program);
    if name == "env" {
        // `env -S bash -e`: the first word that is not an option.
        name = words.find(|w| !w.starts_with('-')).unwrap_or("");
    }
    matches!(name, "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash")
}

/// Calls `f` with the bytes of a text file (the same limits as
/// `read_text`), read into a buffer the thread keeps: scanning a file's
/// bytes (its word mask) costs no allocation and no UTF-8 check.
pub fn with_file_bytes<T>(
    path: &Path,
    max_size: u64,
    f: impl FnOnce(&[u8]) -> T,
) -> Result<T, String> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with(|buffer| {
        // A nested call (none today) gets a buffer of its own.
        let mut own = Vec::new();
        let mut borrowed = buffer.try_borrow_mut();
        let buffer = match borrowed.as_mut() {
            Ok(buffer) => &mut **buffer,
            Err(_) => &mut own,
        };
        let len = read_capped(path, max_size, buffer)?;
        let bytes = &buffer[..len];
        // Git's heuristic: a NUL byte in the first 8000 bytes means binary.
        // A stray NUL further on (a comment quoting one) leaves a text file
        // text.
        // UTF-16 (which has NULs in every ASCII character) is text.
        let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
        if !utf16 && memchr::memchr(0, &bytes[..bytes.len().min(8000)]).is_some() {
            return Err("binary content (NUL bytes); skipped".to_string());
        }
        Ok(f(bytes))
    })
}

/// Reads the file into `buffer` (kept zero-filled to its length, so that it
/// is only cleared when it grows) and returns the byte count. No
/// `metadata()` call — on a 100k-file tree that was one `statx` per file
/// for a size the read gives for free. One byte past the cap is read so
/// that an oversized file is detected without trusting metadata that may
/// change mid-read.
fn read_capped(path: &Path, max_size: u64, buffer: &mut Vec<u8>) -> Result<usize, String> {
    const FIRST: usize = 64 * 1024;
    let mut file = std::fs::File::open(path).map_err(|e| describe_io(&e))?;
    let limit = usize::try_from(max_size.saturating_add(1)).unwrap_or(usize::MAX);
    if buffer.len() < FIRST.min(limit) {
        buffer.resize(FIRST.min(limit), 0);
    }
    let mut len = 0;
    loop {
        let room = buffer.len().min(limit);
        len += read_full(&mut file, &mut buffer[len..room]).map_err(|e| describe_io(&e))?;
        if len < room {
            break;
        }
        if len >= limit {
            return Err(format!("larger than {} KiB; skipped", max_size / 1024));
        }
        let grown = (buffer.len() * 2).min(limit);
        buffer.resize(grown, 0);
    }
    Ok(len)
}

/// Fills `buf` as far as the file goes; the count is short only at the end
/// of the file.
fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn describe_io(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied; skipped".to_string(),
        std::io::ErrorKind::NotFound => "vanished while the audit ran; skipped".to_string(),
        _ => format!("could not be read: {err}"),
    }
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
        + 1
}

/// The line on which the JSON key `"key":` first appears, for evidence.
/// serde_json keeps no positions, so the parsed document says *what* is
/// there and this search only says *where*.
pub fn json_key_line(text: &str, key: &str) -> u32 {
    json_key_line_after(text, key, 0)
}

/// `json_key_line` for the first `"key":` at or after byte `from`.
pub fn json_key_line_after(text: &str, key: &str, from: usize) -> u32 {
    json_key_offset(text, key, from)
        .map(|at| line_of_offset(text, at))
        .unwrap_or(1)
}

/// Byte offset of the first `"key":` at or after `from`.
pub fn json_key_offset(text: &str, key: &str, from: usize) -> Option<usize> {
    let needle = format!("\"{key}\"");
    let mut from = from.min(text.len());
    while let Some(pos) = text[from..].find(&needle) {
        let at = from + pos;
        let rest = text[at + needle.len()..].trim_start();
        if rest.starts_with(':') {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_vanished_is_a_named_reason_not_a_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        let gone = dir.path().join("package.json");
        std::fs::write(&gone, "{}").expect("write");
        std::fs::remove_file(&gone).expect("remove");
        let err = read_text(&gone, DEFAULT_MAX_FILE_SIZE).expect_err("gone");
        assert!(err.contains("vanished"), "{err}");
    }

    #[test]
    fn utf16_files_with_a_byte_order_mark_are_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "services:\n  web:\n    image: app\n";
        for (name, bom, big) in [
            ("le.yaml", [0xFF, 0xFE], false),
            ("be.yaml", [0xFE, 0xFF], true),
        ] {
            let mut bytes = bom.to_vec();
            for unit in text.encode_utf16() {
                bytes.extend(if big {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                });
            }
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("write");
            assert_eq!(read_text(&path, DEFAULT_MAX_FILE_SIZE).as_deref(), Ok(text));
        }
    }

    #[test]
    fn permission_denied_is_described() {
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(describe_io(&err), "permission denied; skipped");
    }

    #[test]
    fn files_past_the_first_chunk_are_read_whole_and_the_cap_holds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let long = dir.path().join("long.ts");
        let text: String = (0..4000).map(|i| format!("const a{i} = {i};\n")).collect();
        assert!(text.len() > 40 * 1024);
        std::fs::write(&long, &text).expect("write");
        assert_eq!(read_text(&long, DEFAULT_MAX_FILE_SIZE).expect("read"), text);
        // Exactly at the cap is read; one byte over is refused.
        let cap = text.len() as u64;
        assert!(read_text(&long, cap).is_ok());
        let err = read_text(&long, cap - 1).expect_err("over the cap");
        assert!(err.contains("larger than"), "{err}");
        // A file of exactly one chunk, and an empty one.
        let exact = dir.path().join("exact.ts");
        std::fs::write(&exact, vec![b'a'; 16 * 1024]).expect("write");
        assert_eq!(
            read_text(&exact, DEFAULT_MAX_FILE_SIZE)
                .expect("read")
                .len(),
            16 * 1024
        );
        let empty = dir.path().join("empty.ts");
        std::fs::write(&empty, b"").expect("write");
        assert_eq!(read_text(&empty, DEFAULT_MAX_FILE_SIZE).expect("read"), "");
    }

    #[test]
    fn nul_bytes_decide_binary_only_near_the_start() {
        let dir = tempfile::tempdir().expect("tempdir");
        let late = dir.path().join("late.sh");
        let mut bytes = vec![b'#'; 9000];
        bytes.extend_from_slice(b"\0\necho ok\n");
        std::fs::write(&late, &bytes).expect("write");
        assert!(read_text(&late, DEFAULT_MAX_FILE_SIZE).is_ok());
        let early = dir.path().join("early.sh");
        std::fs::write(&early, b"\0echo").expect("write");
        assert!(read_text(&early, DEFAULT_MAX_FILE_SIZE).is_err());
    }
}
