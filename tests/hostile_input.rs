//! Bad input never ends the audit. The corpus is generated here (no binary
//! fixtures committed): malformed manifests and configs, binary files with
//! manifest names, oversized files, deep nesting, symlink loops, non-UTF-8
//! names and contents, CRLF and BOMs, empty files, FIFOs. Each bad file is
//! one entry in `errors` naming it; the healthy app beside them is still
//! audited and its findings reported.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, content).expect("write");
}

/// A healthy Next.js app whose findings must survive its neighbours.
fn healthy_app(root: &Path) {
    write(
        root,
        "apps/web/package.json",
        "\u{feff}{\"name\":\"web\",\"scripts\":{\"dev\":\"next dev\"},\"dependencies\":{\"next\":\"15.0.0\",\"@prisma/client\":\"6.0.0\"}}",
    );
    write(
        root,
        "apps/web/prisma/schema.prisma",
        "datasource db {\r\n  provider = \"sqlite\"\r\n  url      = env(\"DATABASE_URL\")\r\n}\r\n",
    );
    write(
        root,
        "apps/web/.env.example",
        b"# caf\xe9 latin-1\r\nNEXT_PUBLIC_SENTRY_DSN=\r\n",
    );
    write(
        root,
        "scripts/backup.sh",
        "#!/bin/sh\r\nBACKUP_DIR=./backups\r\npg_dump \"$DATABASE_URL\" > \"$BACKUP_DIR/db.sql\"\r\n",
    );
}

fn hostile_tree(root: &Path) {
    healthy_app(root);
    write(
        root,
        "package.json",
        r#"{"name":"mono","private":true,"workspaces":["apps/*","packages/*"]}"#,
    );
    // Malformed structured files.
    write(
        root,
        "apps/broken-json/package.json",
        "{ \"name\": \"broken\", \"dependencies\": { \"next\": ",
    );
    write(
        root,
        "apps/trailing-comma/package.json",
        "{\"name\":\"x\",}",
    );
    write(root, "compose.yaml", "services:\n  web: [unclosed\n");
    write(root, "services/py/pyproject.toml", "[project\nname = 'x'\n");
    write(root, "services/java/pom.xml", "<project><dependencies>");
    write(root, "services/rust/Cargo.toml", "[package]\nname = \n");
    write(
        root,
        "apps/bad-prisma/prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\n",
    );
    // Binary content with manifest names.
    write(
        root,
        "packages/blob/package.json",
        [0u8, 159, 146, 150, 0, 1, 2, 3],
    );
    write(
        root,
        "packages/blob/deploy.sh",
        [0x7f, b'E', b'L', b'F', 0, 0, 0],
    );
    // Deep nesting: parsers must not recurse without bound.
    write(
        root,
        "packages/deep-json/package.json",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    write(
        root,
        "deep/compose.yml",
        format!("services: {}{}", "[".repeat(50_000), "]".repeat(50_000)),
    );
    write(
        root,
        "deep/pyproject.toml",
        format!("x = {}{}", "[".repeat(50_000), "]".repeat(50_000)),
    );
    write(
        root,
        "deep/nested.sh",
        format!("{}true{}", "( ".repeat(20_000), " )".repeat(20_000)),
    );
    write(
        root,
        "deep/pom.xml",
        format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000)),
    );
    write(
        root,
        "deep/routes.ts",
        format!("app.get(`{}`)", "${`".repeat(10_000)),
    );
    // YAML bombs in a manifests folder (found by fuzzing): block sequences
    // nested 20,000 deep, and aliases expanding to 10^10 nodes.
    write(root, "k8s/deep.yaml", "- ".repeat(20_000) + "x\n");
    let mut laughs =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    write(root, "k8s/laughs.yaml", laughs);
    // Empty files with meaningful names.
    write(root, "packages/empty/package.json", "");
    write(root, "empty/compose.yaml", "");
    write(root, "empty/schema.prisma", "");
    // An oversized file (the test lowers --max-file-size).
    write(
        root,
        "big/compose.yaml",
        format!("services:\n{}", "  # padding\n".repeat(20_000)),
    );
    // A symlink loop and a dangling symlink.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("..", root.join("deep/loop")).expect("symlink");
        std::os::unix::fs::symlink("/does/not/exist", root.join("deep/dangling.sh"))
            .expect("symlink");
    }
    // A non-UTF-8 file name.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"deploy-\xff\xfe.sh");
        fs::write(
            root.join("scripts").join(name),
            "#!/bin/sh\nrsync -a dist/ deploy@host:/srv/app\n",
        )
        .expect("write");
    }
    // A FIFO with a manifest name: reading it would block forever.
    #[cfg(unix)]
    {
        let fifo = root.join("packages/fifo/package.json");
        fs::create_dir_all(fifo.parent().expect("parent")).expect("mkdir");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(status.is_ok_and(|s| s.success()), "mkfifo");
    }
}

fn audit(root: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let out = Command::cargo_bin("seaworthy")
        .expect("binary")
        .arg("check")
        .arg(root)
        .args(["--format", "json"])
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        doc,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn error_for<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    doc["errors"]
        .as_array()?
        .iter()
        .find(|e| e["path"] == path)
        .and_then(|e| e["message"].as_str())
}

#[test]
fn hostile_tree_is_audited_with_errors_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    hostile_tree(root);
    let (code, doc, stderr) = audit(root, &["--max-file-size", "100000"]);
    assert_eq!(code, Some(1), "stderr: {stderr}\n{doc}");

    // The healthy app's findings are all there.
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    for rule in [
        "sqlite-in-production",
        "apm-sdk-missing",
        "missing-health-endpoint",
        "backups-not-offsite",
    ] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}\n{doc}");
    }
    let sqlite = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "sqlite-in-production")
        .expect("sqlite");
    assert_eq!(
        sqlite["locations"][0]["path"],
        "apps/web/prisma/schema.prisma"
    );
    assert_eq!(
        sqlite["locations"][0]["line"], 2,
        "CRLF lines are counted right"
    );

    // Each bad file is named, with a reason.
    for (path, says) in [
        ("apps/broken-json/package.json", "invalid JSON"),
        ("apps/trailing-comma/package.json", "invalid JSON"),
        ("packages/blob/package.json", "binary"),
        ("packages/empty/package.json", "invalid JSON"),
        ("big/compose.yaml", "larger than"),
        ("k8s/deep.yaml", "deeper than"),
        ("k8s/laughs.yaml", "aliases expand"),
    ] {
        let message = error_for(&doc, path)
            .unwrap_or_else(|| panic!("no error for {path}: {}", doc["errors"]));
        assert!(message.contains(says), "{path}: {message}");
        assert!(stderr.contains(path), "stderr lacks {path}");
    }
    // Symlinks are not followed (as in ripgrep), so the loop ends nothing;
    // a script with a non-UTF-8 name is still read, its name shown lossily.
    #[cfg(unix)]
    {
        let deploy = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["rule"] == "manual-server-deployment")
            .unwrap_or_else(|| panic!("deploy finding from the non-UTF-8 script: {doc}"));
        let path = deploy["locations"][0]["path"].as_str().expect("path");
        assert!(
            path.starts_with("scripts/deploy-") && path.contains('\u{fffd}'),
            "{path}"
        );
    }
}

#[test]
fn deep_nesting_and_bad_configs_do_not_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    hostile_tree(root);
    // Every file, parsed by whatever rule asks: run twice with a huge size
    // limit so nothing is skipped for size.
    let (code, doc, stderr) = audit(root, &["--max-file-size", "100000000"]);
    assert_eq!(code, Some(1), "stderr: {stderr}");
    assert!(doc["findings"].is_array());
    for (path, says) in [
        ("compose.yaml", "invalid YAML"),
        ("deep/compose.yml", "invalid YAML"),
        ("packages/deep-json/package.json", "invalid JSON"),
    ] {
        let message = error_for(&doc, path)
            .unwrap_or_else(|| panic!("no error for {path}: {}", doc["errors"]));
        assert!(message.contains(says), "{path}: {message}");
    }
}
