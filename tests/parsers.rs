//! How well seaworthy's parsers read what their own tools read. Both tests
//! are ignored (they need inputs from outside the repository); the scripts
//! run them:
//!
//! - `scripts/yaml-test-suite.sh SUITE`: the official YAML test suite (a
//!   checkout of the `data` branch of yaml/yaml-test-suite: one folder per
//!   case with `in.yaml`, an `error` file when the input is invalid, and
//!   `in.json` with the values of a valid one).
//! - `scripts/parse-sweep.py ROOT…`: real files (compose files, Kubernetes
//!   manifests, CI workflows, pyproject.toml, Cargo.toml, Gemfile, pom.xml,
//!   package.json, composer.json) read by seaworthy and by the reference
//!   parser of their kind (PyYAML, tomllib, json, xml.etree).

use std::path::{Path, PathBuf};

use seaworthy::facts::yaml_tree::{self, Node, Value};
use serde_json::{json, Value as Json};

/// The suite's cases: folders holding an `in.yaml` (some cases are folders
/// of numbered sub-cases). `name/` and `tags/` hold links to the same cases.
fn suite_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("in.yaml").is_file() {
        out.push(dir.to_path_buf());
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| !p.ends_with("name") && !p.ends_with("tags") && !p.ends_with(".git"))
        .collect();
    dirs.sort();
    for d in dirs {
        suite_cases(&d, out);
    }
}

/// A document's values as JSON, the way the suite's `in.json` writes them
/// (plain scalars typed, merge keys applied).
fn to_json(node: &Node) -> Option<Json> {
    use yaml_rust2::Yaml;
    Some(match yaml_tree::to_yaml(node) {
        Yaml::Real(r) => match r.parse::<f64>() {
            Ok(f) if f.is_finite() => json!(f),
            _ => return None,
        },
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Null => Json::Null,
        Yaml::Array(_) => Json::Array(node.items().iter().map(to_json).collect::<Option<_>>()?),
        Yaml::Hash(_) => {
            let Value::Map(entries) = &node.value else {
                return None;
            };
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                let Value::Scalar { text, .. } = &k.value else {
                    return None;
                };
                map.insert(text.clone(), to_json(v)?);
            }
            Json::Object(map)
        }
        _ => return None,
    })
}

fn same_numbers(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_numbers(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_numbers(v, w)))
        }
        _ => a == b,
    }
}

/// yaml-rust2's loader alone (what `yaml::load` was: it also refuses a
/// key written twice).
fn yaml_rust2_loader(text: &str) -> bool {
    yaml_rust2::YamlLoader::load_from_str(text).is_ok()
}

/// yaml-rust2's event parser alone (what `yaml_tree::load` was).
fn yaml_rust2_parser(text: &str) -> bool {
    struct Sink;
    impl yaml_rust2::parser::MarkedEventReceiver for Sink {
        fn on_event(&mut self, _: yaml_rust2::Event, _: yaml_rust2::scanner::Marker) {}
    }
    yaml_rust2::parser::Parser::new_from_str(text)
        .load(&mut Sink, true)
        .is_ok()
}

#[test]
#[ignore = "needs YAML_TEST_SUITE=<checkout of yaml-test-suite's data branch>"]
fn yaml_test_suite() {
    let Some(root) = std::env::var_os("YAML_TEST_SUITE") else {
        panic!("set YAML_TEST_SUITE to a checkout of the suite's data branch");
    };
    let mut cases = Vec::new();
    suite_cases(Path::new(&root), &mut cases);
    assert!(!cases.is_empty(), "no case (in.yaml) under {root:?}");
    let verbose = std::env::var_os("VERBOSE").is_some();
    let (mut valid, mut invalid) = (0, 0);
    // Pass counts (valid parsed, invalid rejected) of the two yaml-rust2
    // paths seaworthy used before.
    let mut loader = (0, 0);
    let mut parser = (0, 0);
    let (mut read_valid, mut read_invalid, mut with_json, mut same_values) = (0, 0, 0, 0);
    for case in &cases {
        let Ok(text) = std::fs::read_to_string(case.join("in.yaml")) else {
            continue;
        };
        let is_invalid = case.join("error").exists();
        let (loader_ok, parser_ok) = (yaml_rust2_loader(&text), yaml_rust2_parser(&text));
        let loaded = yaml_tree::load(&text);
        let name = case.strip_prefix(&root).unwrap_or(case).display();
        if is_invalid {
            invalid += 1;
            loader.1 += usize::from(!loader_ok);
            parser.1 += usize::from(!parser_ok);
            read_invalid += usize::from(loaded.is_err());
            if verbose && loaded.is_ok() {
                println!("accepted (invalid)  {name}");
            }
            continue;
        }
        valid += 1;
        loader.0 += usize::from(loader_ok);
        parser.0 += usize::from(parser_ok);
        let Ok(docs) = loaded else {
            if verbose {
                println!("rejected (valid)    {name}");
            }
            continue;
        };
        read_valid += 1;
        // The values, where the suite gives them as JSON.
        let Ok(expected) = std::fs::read_to_string(case.join("in.json")) else {
            continue;
        };
        let expected: Vec<Json> = serde_json::Deserializer::from_str(&expected)
            .into_iter::<Json>()
            .map_while(Result::ok)
            .collect();
        with_json += 1;
        let got: Option<Vec<Json>> = docs.iter().map(to_json).collect();
        let same = got.is_some_and(|got| {
            got.len() == expected.len()
                && got.iter().zip(&expected).all(|(a, b)| same_numbers(a, b))
        });
        same_values += usize::from(same);
        if verbose && !same {
            println!("other values        {name}");
        }
    }
    let rate = |ok: usize, all: usize| 100.0 * ok as f64 / all.max(1) as f64;
    println!(
        "YAML test suite: {} cases ({valid} valid, {invalid} invalid)",
        valid + invalid
    );
    for (name, (ok_valid, ok_invalid)) in [
        ("yaml-rust2 loader (old yaml::load)", loader),
        ("yaml-rust2 parser (old yaml_tree::load)", parser),
    ] {
        println!(
            "{name}: valid parsed {ok_valid}/{valid}, invalid rejected {ok_invalid}/{invalid}, pass {:.1}%",
            rate(ok_valid + ok_invalid, valid + invalid)
        );
    }
    println!(
        "seaworthy's reader:   valid parsed {read_valid}/{valid}, invalid rejected {read_invalid}/{invalid}, pass {:.1}%; same values as in.json {same_values}/{with_json}",
        rate(read_valid + read_invalid, valid + invalid)
    );
}

/// A YAML tree with its scalars as text and each mapping as a list of
/// [key, value] pairs (merge keys applied), for the sweep to compare with
/// PyYAML's.
fn raw_tree(node: &Node) -> Json {
    match &node.value {
        Value::Scalar { text, .. } => json!(text),
        Value::Seq(items) => Json::Array(items.iter().map(raw_tree).collect()),
        Value::Map(entries) => json!({
            "map": entries
                .iter()
                .map(|(k, v)| json!([raw_tree(k), raw_tree(v)]))
                .collect::<Vec<_>>()
        }),
    }
}

#[test]
#[ignore = "needs SEAWORTHY_SWEEP_LIST=<file of `kind<TAB>path` lines>"]
fn parse_sweep() {
    use seaworthy::facts::{compose, kubernetes, manifest, package_json, yaml};
    use seaworthy::index::FileKind;
    let Some(list) = std::env::var_os("SEAWORTHY_SWEEP_LIST") else {
        panic!("set SEAWORTHY_SWEEP_LIST");
    };
    let out = std::env::var_os("SEAWORTHY_SWEEP_OUT").unwrap_or_else(|| "sweep-out.jsonl".into());
    let list = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{list:?}: {e}"));
    let mut lines = Vec::new();
    for line in list.lines() {
        let Some((kind, path)) = line.split_once('\t') else {
            continue;
        };
        // As the audit reads files: lossy UTF-8, BOM dropped, size-capped.
        let text = match seaworthy::facts::text::read_text(Path::new(path), 16 << 20) {
            Ok(text) => text,
            Err(e) => {
                lines.push(json!({"path": path, "error": e}).to_string());
                continue;
            }
        };
        let result: Result<Option<Json>, String> = match kind {
            "compose" => compose::ComposeFile::parse(&text).and_then(|_| {
                yaml_tree::load(&text).map(|d| Some(Json::Array(d.iter().map(raw_tree).collect())))
            }),
            "kube" => kubernetes::KubeFile::parse(&text).and_then(|_| {
                yaml_tree::load(&text).map(|d| Some(Json::Array(d.iter().map(raw_tree).collect())))
            }),
            "yaml" => yaml::load(&text).and_then(|_| {
                yaml_tree::load(&text).map(|d| Some(Json::Array(d.iter().map(raw_tree).collect())))
            }),
            "ci" => seaworthy::facts::ci::CiPipeline::parse(
                Path::new(path)
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or(""),
                &text,
            )
            .map(|_| None),
            "package-json" => package_json::PackageJson::parse(text).map(|_| None),
            "pyproject" => manifest::parse(FileKind::PyProject, text).map(|_| None),
            "cargo" => manifest::parse(FileKind::CargoToml, text).map(|_| None),
            "gemfile" => manifest::parse(FileKind::Gemfile, text).map(|_| None),
            "pom" => manifest::parse(FileKind::MavenPom, text).map(|_| None),
            "composer" => manifest::parse(FileKind::ComposerJson, text).map(|_| None),
            other => Err(format!("unknown kind {other}")),
        };
        lines.push(match result {
            Ok(tree) => json!({"path": path, "tree": tree}).to_string(),
            Err(e) => json!({"path": path, "error": e}).to_string(),
        });
    }
    std::fs::write(&out, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{out:?}: {e}"));
    println!("{} files read; results in {out:?}", lines.len());
}
