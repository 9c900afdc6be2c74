//! The audit of a tree never depends on the name of the folder it was
//! checked out in: the same commit as `acme-store/` (a clone) or
//! `acme-store-main/` (a GitHub ZIP) gives the same report, apart from
//! `root`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// A project whose compose file runs an image named like the repository
/// (`acme-store`), while its one app is a package called `web`: only the
/// repository's name can tie the image to the project.
fn write_project(dir: &Path) {
    let files: &[(&str, &str)] = &[
        (
            "web/package.json",
            r#"{ "name": "web", "private": true, "scripts": { "start": "node server.js" }, "dependencies": { "express": "4.21.2", "pg": "8.13.0" } }"#,
        ),
        (
            "web/server.js",
            "const app = require('express')();\napp.get('/orders', (req, res) => res.json([]));\napp.listen(3000);\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  store:\n    image: ghcr.io/acme/acme-store:1.4.0\n    restart: always\n    ports: [\"80:3000\"]\n    depends_on: [db]\n  db:\n    image: postgres:16\n    restart: always\n    environment:\n      POSTGRES_PASSWORD: hunter2hunter2\n",
        ),
    ];
    for (rel, text) in files {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

/// The JSON report without `root`.
fn report(dir: &Path) -> serde_json::Value {
    let output = Command::cargo_bin("seaworthy")
        .expect("binary builds")
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--no-config",
        ])
        .arg(dir)
        .output()
        .expect("runs");
    let mut json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    json.as_object_mut().expect("an object").remove("root");
    json
}

#[test]
fn the_checkout_folder_name_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let names = ["acme-store", "acme-store-main", "x"];
    let reports: Vec<serde_json::Value> = names
        .iter()
        .map(|name| {
            let dir = tmp.path().join(name);
            write_project(&dir);
            report(&dir)
        })
        .collect();
    for (name, r) in names.iter().zip(&reports).skip(1) {
        assert_eq!(&reports[0], r, "checked out as {name}/");
    }
}

#[test]
fn the_git_remote_names_the_project_whatever_the_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let reports: Vec<serde_json::Value> = ["acme-store", "checkout-2"]
        .iter()
        .map(|name| {
            let dir = tmp.path().join(name);
            write_project(&dir);
            fs::create_dir_all(dir.join(".git")).expect("mkdir");
            fs::write(
                dir.join(".git/config"),
                "[remote \"origin\"]\n\turl = git@github.com:acme/acme-store.git\n",
            )
            .expect("write");
            report(&dir)
        })
        .collect();
    assert_eq!(reports[0], reports[1]);
    // The remote ties the image to the project: its compose service is the
    // project's own code, so the database beside it is judged.
    let rules: Vec<&str> = reports[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"compose-database-without-volume"),
        "findings: {rules:?}"
    );
}
