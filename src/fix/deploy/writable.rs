//! The folders an app writes to at run time, for a read-only root
//! filesystem (issue 15: a Deployment with `readOnlyRootFilesystem` and 2
//! replicas for an app that saves uploads to `public/uploads`: every upload
//! failed with EROFS, and nothing said so).
//!
//! Found in the code, not guessed: in JavaScript, the paths built next to a
//! file-writing call (`fs.writeFile`, `mkdir`, `createWriteStream`, multer's
//! `dest`/`destination`, formidable's `uploadDir`) from `process.cwd()`,
//! `__dirname` or a relative string; in Django, `MEDIA_ROOT`. Folders that
//! hold what users send (uploads, media, attachments, …) must outlive the
//! pod and be shared by the replicas; the others (caches, temporary files,
//! logs) only need to be writable.

use crate::facts::code::{ident_at, punct_at, string_at, tokenize, Lang, Token};
use crate::fix::profile::Profile;
use crate::fix::Builder;
use crate::stack::Framework;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Writable {
    /// Relative to the app's working folder in the image (`/app`).
    pub path: String,
    /// User data: needs a volume that outlives the pod.
    pub persistent: bool,
    /// Where the write was found.
    pub evidence: String,
}

const WRITE_CALLS: &[&str] = &[
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "createWriteStream",
    "mkdir",
    "mkdirSync",
    "copyFile",
    "copyFileSync",
    "rename",
    "renameSync",
    "diskStorage",
    "multer",
    "formidable",
    "IncomingForm",
];

const USER_DATA: &[&str] = &[
    "upload",
    "media",
    "attachment",
    "avatar",
    "files",
    "images",
    "storage",
    "data",
    "documents",
];

/// `a/b/c.txt` → the folder to mount, relative to the app folder; `None`
/// for paths outside it, templates and build folders.
fn folder(path: &str, file_dir: &str, from_dirname: bool) -> Option<String> {
    if path.contains("${") || path.contains("://") || path.contains(' ') {
        return None;
    }
    let path = path.trim_start_matches("./").trim_end_matches('/');
    if path.starts_with('/') || path.is_empty() || path == "." {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    if from_dirname && !file_dir.is_empty() {
        parts.extend(file_dir.split('/'));
    }
    for segment in path.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    // A file name at the end (an extension): its folder.
    if parts
        .last()
        .is_some_and(|l| l.contains('.') && !l.starts_with('.'))
    {
        parts.pop();
    }
    let first = *parts.first()?;
    if [
        "node_modules",
        ".next",
        ".git",
        "src",
        "app",
        "pages",
        "lib",
        "server",
        "public",
    ]
    .contains(&first)
        && parts.len() == 1
    {
        return None;
    }
    if first == "node_modules" || first == ".next" || first == ".git" {
        return None;
    }
    Some(parts.join("/"))
}

fn persistent(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !["tmp", "temp", "cache", "log"]
        .iter()
        .any(|w| lower.contains(w))
        && USER_DATA.iter().any(|w| lower.contains(w))
}

/// Paths a JavaScript file writes to: the strings of `join`/`resolve`
/// calls and of path-like literals, in files that call a write API.
fn js_paths(file: &str, app_dir: &str, text: &str) -> Vec<(String, usize)> {
    let tokens = tokenize(text, Lang::Js);
    let writes = (0..tokens.len()).any(|i| {
        ident_at(&tokens, i).is_some_and(|n| WRITE_CALLS.contains(&n))
            && punct_at(&tokens, i + 1, '(')
            || ident_at(&tokens, i)
                .is_some_and(|n| n == "uploadDir" || n == "dest" || n == "destination")
                && punct_at(&tokens, i + 1, ':')
    });
    if !writes {
        return Vec::new();
    }
    let rel = file
        .strip_prefix(&format!("{app_dir}/"))
        .filter(|_| !app_dir.is_empty())
        .unwrap_or(file);
    let file_dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let line = tokens[i].line as usize;
        // path.join(process.cwd(), "public", "uploads") / join(__dirname, "../uploads")
        if matches!(ident_at(&tokens, i), Some("join" | "resolve")) && punct_at(&tokens, i + 1, '(')
        {
            let mut j = i + 2;
            let mut from_dirname = false;
            let mut rooted = false;
            if ident_at(&tokens, j) == Some("process")
                && ident_at(&tokens, j + 2) == Some("cwd")
                && punct_at(&tokens, j + 5, ',')
            {
                rooted = true;
                j += 6;
            } else if ident_at(&tokens, j) == Some("__dirname") && punct_at(&tokens, j + 1, ',') {
                from_dirname = true;
                rooted = true;
                j += 2;
            }
            let mut parts = Vec::new();
            while let Some(s) = string_at(&tokens, j) {
                parts.push(s.to_string());
                if punct_at(&tokens, j + 1, ',') {
                    j += 2;
                } else {
                    j += 1;
                    break;
                }
            }
            if rooted && !parts.is_empty() {
                if let Some(f) = folder(&parts.join("/"), file_dir, from_dirname) {
                    out.push((f, line));
                }
            }
            i = j.max(i + 1);
            continue;
        }
        if let Some(s) = string_at(&tokens, i) {
            let path_like = (s.starts_with("./") || s.starts_with("public/") || s.contains('/'))
                && !s.starts_with("/")
                && !s.contains(' ')
                && !s.contains('@')
                && !s.starts_with("../node_modules");
            let named = USER_DATA.iter().any(|w| s.starts_with(&format!("./{w}")))
                || s.starts_with("public/");
            if path_like && named {
                if let Some(f) = folder(s, file_dir, false) {
                    out.push((f, line));
                }
            }
        }
        i += 1;
    }
    out
}

/// `MEDIA_ROOT = BASE_DIR / "media"` or `os.path.join(BASE_DIR, "media")`.
fn django_media(text: &str) -> Option<(String, usize)> {
    let tokens = tokenize(text, Lang::Python);
    for i in 0..tokens.len() {
        if ident_at(&tokens, i) != Some("MEDIA_ROOT") || !punct_at(&tokens, i + 1, '=') {
            continue;
        }
        let line = tokens[i].line as usize;
        // The first string on the assignment's line.
        let value = tokens[i + 2..]
            .iter()
            .take_while(|t| t.line as usize == line)
            .find_map(|t| match &t.token {
                Token::Str(s) => Some(s.clone()),
                _ => None,
            })?;
        return folder(&value, "", false).map(|f| (f, line));
    }
    None
}

pub fn writable_paths(p: &Profile, b: &Builder) -> Vec<Writable> {
    let mut out: Vec<Writable> = Vec::new();
    for file in &p.sources {
        let Some(text) = b.read(file) else { continue };
        let found: Vec<(String, usize)> = match p.framework {
            Framework::Django if file.ends_with("settings.py") || file.contains("/settings/") => {
                django_media(&text).into_iter().collect()
            }
            _ if [".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx"]
                .iter()
                .any(|e| file.ends_with(e))
                && !crate::roles::path::is_test_file(file) =>
            {
                js_paths(file, &p.dir, &text)
            }
            _ => Vec::new(),
        };
        for (path, line) in found {
            if out.iter().any(|w| w.path == path) {
                continue;
            }
            out.push(Writable {
                persistent: persistent(&path) || p.framework == Framework::Django,
                path,
                evidence: format!("{file}:{line}"),
            });
        }
    }
    // A folder inside another one is covered by its mount.
    let all: Vec<String> = out.iter().map(|w| w.path.clone()).collect();
    out.retain(|w| {
        !all.iter()
            .any(|o| *o != w.path && w.path.starts_with(&format!("{o}/")))
    });
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_folders_from_write_calls() {
        let route = "import { writeFile, mkdir } from \"fs/promises\";\nimport path from \"path\";\n\nexport async function POST(req) {\n  const dir = path.join(process.cwd(), \"public\", \"uploads\");\n  await mkdir(dir, { recursive: true });\n  await writeFile(path.join(dir, name), bytes);\n}\n";
        assert_eq!(
            js_paths("app/api/upload/route.ts", "", route),
            vec![("public/uploads".to_string(), 5)]
        );
        let multer = "const multer = require(\"multer\");\nconst upload = multer({ dest: \"./uploads/avatars/\" });\n";
        assert_eq!(
            js_paths("server/routes.js", "", multer),
            vec![("uploads/avatars".to_string(), 2)]
        );
        let dirname = "const fs = require(\"fs\");\nfs.mkdirSync(path.join(__dirname, \"../data/exports\"), { recursive: true });\n";
        assert_eq!(
            js_paths("server/jobs.js", "", dirname),
            vec![("data/exports".to_string(), 2)]
        );
        // No write call: an image path in markup is not a writable folder.
        assert!(js_paths("app/page.tsx", "", "const logo = \"public/logo.png\";\n").is_empty());
    }

    #[test]
    fn media_root_of_django() {
        assert_eq!(
            django_media("MEDIA_ROOT = BASE_DIR / \"media\"\n"),
            Some(("media".to_string(), 1))
        );
        assert_eq!(
            django_media("MEDIA_ROOT = os.path.join(BASE_DIR, 'uploads')\n"),
            Some(("uploads".to_string(), 1))
        );
        assert_eq!(django_media("MEDIA_ROOT = '/var/media'\n"), None);
    }

    #[test]
    fn what_persists() {
        assert!(persistent("public/uploads"));
        assert!(persistent("media"));
        assert!(!persistent("tmp/cache"));
        assert!(!persistent("logs"));
    }
}
