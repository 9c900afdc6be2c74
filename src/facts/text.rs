//! Reading a file's text, with the limits that keep the audit safe on trees
//! nobody has cleaned: a size cap, binary detection, a BOM stripped.

use std::io::Read;
use std::path::Path;

/// Files larger than this are not read: no manifest or config is this big, and
/// a generated or vendored blob would only slow the audit down.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

pub fn read_text(path: &Path, max_size: u64) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| describe_io(&e))?;
    // Size the buffer once from the metadata (capped), rather than growing it.
    let hint = file
        .metadata()
        .map(|m| m.len())
        .unwrap_or(0)
        .min(max_size + 1);
    let mut bytes = Vec::with_capacity(hint as usize + 1);
    // Read one byte past the cap so that an oversized file is detected
    // without trusting metadata that may change mid-read.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| describe_io(&e))?;
    if bytes.len() as u64 > max_size {
        return Err(format!("larger than {} KiB; skipped", max_size / 1024));
    }
    // Git's heuristic: a NUL byte in the first 8000 bytes means binary. A
    // stray NUL further on (a comment quoting one) leaves a text file text.
    if bytes.iter().take(8000).any(|b| *b == 0) {
        return Err("binary content (NUL bytes); skipped".to_string());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        // Configs in Latin-1 still carry ASCII keys; read them lossily rather
        // than losing the file.
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
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
    fn permission_denied_is_described() {
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(describe_io(&err), "permission denied; skipped");
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
