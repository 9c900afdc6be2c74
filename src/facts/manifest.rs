//! Dependency manifests beyond package.json: what an app depends on, in
//! Python (requirements, pyproject, Pipfile), Ruby (Gemfile), PHP
//! (composer.json), Java/Kotlin (pom.xml, build.gradle), Go (go.mod) and Rust
//! (Cargo.toml). Each is read with a real parser where the format has one
//! (TOML, JSON, XML); the line-based formats (requirements, go.mod) and the
//! Ruby/Gradle DSLs go through small grammar-aware readers.

use std::collections::BTreeMap;

use serde_json::Value as Json;
use toml::Value as Toml;

use super::code::{self, Lang, Token};
use crate::index::FileKind;

/// A dependency with the features/extras it enables (Cargo features, pip
/// extras), lower-cased where the ecosystem's names are case-insensitive.
#[derive(Debug, Default, Clone)]
pub struct Dependency {
    pub features: Vec<String>,
    /// Declared for development or tests only.
    pub dev: bool,
}

#[derive(Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    pub dependencies: BTreeMap<String, Dependency>,
    /// Whether the manifest describes something that runs: a Cargo/Maven
    /// binary, a Maven/Gradle Spring Boot plugin, a Go `main`. `None` when
    /// the format does not say.
    pub executable: Option<bool>,
    /// The build makes a container image without a Dockerfile (Jib).
    pub builds_image: bool,
    /// A library by its own declaration (composer `"type": "library"`).
    pub declares_library: bool,
    /// A workspace/aggregator that builds other modules.
    pub is_workspace_root: bool,
    /// The build packages a web archive for a servlet container (Maven
    /// `<packaging>war</packaging>`, Gradle's `war` plugin).
    pub packaging_war: bool,
    pub text: String,
}

impl Manifest {
    pub fn has(&self, name: &str) -> bool {
        self.dependencies.contains_key(name)
    }

    /// 1-based line declaring a dependency, for evidence: the first line
    /// that is not a comment and names the package as a whole word (a
    /// Maven `group:artifact` by its artifact id; Python names in any case
    /// and with `_`/`.` for `-`). Line 1 when not found.
    pub fn line_of(&self, package: &str) -> u32 {
        let want = normalize_python(package.rsplit(':').next().unwrap_or(package));
        let words = |t: &str| -> Vec<String> {
            t.split(|c: char| !(c.is_ascii_alphanumeric() || "_.-/@".contains(c)))
                .filter(|w| !w.is_empty())
                .map(normalize_python)
                .collect()
        };
        let code_lines = || {
            self.text.lines().enumerate().filter(|(_, l)| {
                let t = l.trim_start();
                !(t.starts_with('#') || t.starts_with("//") || t.starts_with("<!--"))
            })
        };
        // A line that declares the dependency names it first (`django>=5`,
        // `"django>=5",`, `gem "rails"`, `<artifactId>…`, `axum = "0.7"`);
        // prose that mentions it (a description) names other words first.
        let declared = code_lines().find(|(_, l)| {
            let w = words(l);
            w.first() == Some(&want)
                || (w.first().is_some_and(|f| f == "gem" || f == "artifactid")
                    && w.get(1) == Some(&want))
        });
        declared
            .or_else(|| code_lines().find(|(_, l)| words(l).contains(&want)))
            .map(|(i, _)| i as u32 + 1)
            .unwrap_or(1)
    }

    fn add(&mut self, name: &str, features: Vec<String>, dev: bool) {
        match self.dependencies.get_mut(name) {
            Some(entry) => {
                entry.features.extend(features);
                // Declared for production anywhere makes it a production one.
                entry.dev &= dev;
            }
            None => {
                self.dependencies
                    .insert(name.to_string(), Dependency { features, dev });
            }
        }
    }
}

pub fn parse(kind: FileKind, text: String) -> Result<Manifest, String> {
    let mut m = match kind {
        FileKind::Requirements => requirements(&text),
        FileKind::PyProject => pyproject(&text)?,
        FileKind::Pipfile => pipfile(&text)?,
        FileKind::Gemfile => gemfile(&text),
        FileKind::ComposerJson => composer(&text)?,
        FileKind::MavenPom => maven(&text)?,
        FileKind::Gradle => gradle(&text),
        FileKind::GoMod => go_mod(&text),
        FileKind::CargoToml => cargo(&text)?,
        FileKind::DotnetProject => dotnet_project(&text)?,
        FileKind::MixExs => mix_exs(&text),
        _ => Manifest::default(),
    };
    m.text = text;
    Ok(m)
}

/// PEP 503 normalisation: `Django_Health.Check` → `django-health-check`.
pub fn normalize_python(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The distribution name of a PEP 508 requirement: `Django[argon2]>=5 ; python_version>"3"`.
fn pep508(req: &str) -> Option<(String, Vec<String>)> {
    let req = req.split(';').next()?.trim();
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(req.len());
    let name = &req[..end];
    if name.is_empty() {
        return None;
    }
    let extras = req[end..]
        .trim_start()
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .map(|(inside, _)| {
            inside
                .split(',')
                .map(|e| e.trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    Some((normalize_python(name), extras))
}

/// A TOML array of strings under `key` (`features = [...]`, `extras = [...]`).
fn string_list(table: &Toml, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(Toml::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Toml::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn requirements(text: &str) -> Manifest {
    let mut m = Manifest::default();
    // pip-compile / uv output annotates every pin with `# via …`: a package
    // only pulled in by another one (`# via locust`) is not the app's own
    // choice, so a framework there does not make the folder an app.
    let mut pins: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    let mut annotated = false;
    let mut in_via = false;
    for raw in text.lines() {
        let trimmed = raw.trim();
        if let Some(comment) = trimmed.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(rest) = comment.strip_prefix("via") {
                annotated = true;
                in_via = true;
                if let Some((_, _, vias)) = pins.last_mut() {
                    vias.extend(rest.split_whitespace().map(str::to_string));
                }
            } else if in_via && raw.starts_with(char::is_whitespace) {
                if let Some((_, _, vias)) = pins.last_mut() {
                    vias.extend(comment.split_whitespace().next().map(str::to_string));
                }
            } else {
                in_via = false;
            }
            continue;
        }
        in_via = false;
        let line = raw.split(" #").next().unwrap_or(raw).trim();
        if line.is_empty() || line.starts_with('-') {
            continue;
        }
        // `pkg @ https://…` and plain URLs: the name comes first when there is one.
        if line.contains("://") && !line.contains(" @ ") {
            continue;
        }
        if let Some((name, extras)) = pep508(line) {
            pins.push((name, extras, Vec::new()));
        }
    }
    for (name, extras, vias) in pins {
        let direct = !annotated
            || vias.is_empty()
            || vias.iter().any(|v| {
                v.starts_with('-') || v.contains(".in") || v.contains(".txt") || v.contains(".toml")
            });
        if direct {
            m.add(&name, extras, false);
        }
    }
    m
}

fn toml_table(text: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>()
        .map_err(|e| format!("invalid TOML: {}", e.message()))
}

fn pyproject(text: &str) -> Result<Manifest, String> {
    let doc = toml_table(text)?;
    let mut m = Manifest::default();
    let project = doc.get("project");
    m.name = project
        .and_then(|p| p.get("name"))
        .and_then(Toml::as_str)
        .map(str::to_string);
    let add_list = |m: &mut Manifest, list: Option<&Toml>, dev: bool| {
        for req in list.and_then(Toml::as_array).into_iter().flatten() {
            if let Some((name, extras)) = req.as_str().and_then(pep508) {
                m.add(&name, extras, dev);
            }
        }
    };
    add_list(&mut m, project.and_then(|p| p.get("dependencies")), false);
    if let Some(Toml::Table(optional)) = project.and_then(|p| p.get("optional-dependencies")) {
        for list in optional.values() {
            add_list(&mut m, Some(list), true);
        }
    }
    if let Some(Toml::Table(groups)) = doc.get("dependency-groups") {
        for list in groups.values() {
            add_list(&mut m, Some(list), true);
        }
    }
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    if m.name.is_none() {
        m.name = poetry
            .and_then(|p| p.get("name"))
            .and_then(Toml::as_str)
            .map(str::to_string);
    }
    let add_table = |m: &mut Manifest, table: Option<&Toml>, dev: bool| {
        if let Some(Toml::Table(deps)) = table {
            for (name, spec) in deps {
                if name == "python" {
                    continue;
                }
                let extras = string_list(spec, "extras");
                m.add(&normalize_python(name), extras, dev);
            }
        }
    };
    add_table(&mut m, poetry.and_then(|p| p.get("dependencies")), false);
    add_table(&mut m, poetry.and_then(|p| p.get("dev-dependencies")), true);
    if let Some(Toml::Table(groups)) = poetry.and_then(|p| p.get("group")) {
        for (group, body) in groups {
            add_table(&mut m, body.get("dependencies"), group != "main");
        }
    }
    Ok(m)
}

fn pipfile(text: &str) -> Result<Manifest, String> {
    let doc = toml_table(text)?;
    let mut m = Manifest::default();
    for (section, dev) in [("packages", false), ("dev-packages", true)] {
        if let Some(Toml::Table(deps)) = doc.get(section) {
            for name in deps.keys() {
                m.add(&normalize_python(name), Vec::new(), dev);
            }
        }
    }
    Ok(m)
}

/// Gemfile: `gem "name"` calls, with `group :development, :test do … end`
/// blocks marking development gems. Comments and strings are lexed, not
/// pattern-matched.
fn gemfile(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let tokens = code::tokenize(text, Lang::Ruby);
    let mut dev_depth: Vec<bool> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match &t.token {
            Token::Ident(word) if word == "group" => {
                // Symbols lex as `:` + ident; a group is dev when every name is.
                let names: Vec<&str> = tokens[i + 1..]
                    .iter()
                    .take_while(|n| {
                        n.line == t.line && !matches!(&n.token, Token::Ident(w) if w == "do")
                    })
                    .filter_map(|n| match &n.token {
                        Token::Ident(w) | Token::Str(w) => Some(w.as_str()),
                        _ => None,
                    })
                    .collect();
                let dev =
                    !names.is_empty() && names.iter().all(|n| matches!(*n, "development" | "test"));
                dev_depth.push(dev);
            }
            Token::Ident(word) if word == "end" => {
                dev_depth.pop();
            }
            Token::Ident(word) if word == "gem" => {
                if let Some(Token::Str(name)) = tokens.get(i + 1).map(|n| &n.token) {
                    let dev = dev_depth.iter().any(|d| *d);
                    m.add(&name.to_ascii_lowercase(), Vec::new(), dev);
                }
            }
            _ => {}
        }
    }
    m
}

fn composer(text: &str) -> Result<Manifest, String> {
    let doc: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let mut m = Manifest {
        name: doc.get("name").and_then(Json::as_str).map(str::to_string),
        declares_library: doc.get("type").and_then(Json::as_str) == Some("library"),
        ..Manifest::default()
    };
    for (section, dev) in [("require", false), ("require-dev", true)] {
        if let Some(Json::Object(deps)) = doc.get(section) {
            for name in deps.keys() {
                m.add(&name.to_ascii_lowercase(), Vec::new(), dev);
            }
        }
    }
    Ok(m)
}

/// pom.xml: dependencies as `groupId:artifactId`, the Spring Boot plugin as
/// the sign of an executable app, `<modules>` for an aggregator.
fn maven(text: &str) -> Result<Manifest, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("invalid XML: {e}"))?;
    let mut m = Manifest::default();
    let root = doc.root_element();
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
    };
    m.name = child_text(root, "artifactId");
    m.packaging_war = child_text(root, "packaging").is_some_and(|p| p == "war");
    for node in root.descendants() {
        if node.has_tag_name("dependency")
            || node.has_tag_name("plugin")
            || node.has_tag_name("parent")
        {
            let group = child_text(node, "groupId").unwrap_or_default();
            let Some(artifact) = child_text(node, "artifactId") else {
                continue;
            };
            if node.has_tag_name("plugin") {
                if artifact == "jib-maven-plugin" {
                    m.builds_image = true;
                }
                if artifact == "spring-boot-maven-plugin"
                    || artifact.starts_with("quarkus-maven-plugin")
                    || artifact == "micronaut-maven-plugin"
                {
                    m.executable = Some(true);
                }
                continue;
            }
            let scope = child_text(node, "scope").unwrap_or_default();
            let dev = scope == "test" || scope == "provided";
            // Inside <dependencyManagement> a dependency is only a version pin.
            let managed = node
                .ancestors()
                .any(|a| a.has_tag_name("dependencyManagement"));
            if !managed {
                m.add(&format!("{group}:{artifact}"), Vec::new(), dev);
            }
        }
        if node.has_tag_name("modules") && node.children().any(|c| c.has_tag_name("module")) {
            m.is_workspace_root = true;
        }
    }
    Ok(m)
}

/// Packages that make a .NET project a test project (the test SDK and the
/// three test frameworks), lower-cased.
const DOTNET_TEST_PACKAGES: &[&str] = &[
    "microsoft.net.test.sdk",
    "mstest.testframework",
    "mstest",
    "nunit",
    "xunit",
    "xunit.core",
    "xunit.v3",
];

/// A .NET project file (`*.csproj`, `*.fsproj`, MSBuild XML): its SDK
/// (`<Project Sdk="Microsoft.NET.Sdk.Web">`, `<Sdk Name="…"/>`, an
/// `<Import Sdk="…"/>`) and its `PackageReference`/`FrameworkReference`
/// items become dependencies, lower-cased as NuGet names are
/// case-insensitive. A reference with `PrivateAssets="all"` (an analyzer,
/// a build tool) is a development one. A test project (`IsTestProject`, or
/// the test SDK or a test framework referenced) is not `executable`; a
/// Web SDK project or `OutputType` `Exe` is.
fn dotnet_project(text: &str) -> Result<Manifest, String> {
    let body = text.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(body).map_err(|e| format!("invalid XML: {e}"))?;
    let mut m = Manifest::default();
    let root = doc.root_element();
    let mut sdks: Vec<String> = root
        .attribute("Sdk")
        .map(|s| {
            s.split(';')
                .map(|one| {
                    one.split('/')
                        .next()
                        .unwrap_or(one)
                        .trim()
                        .to_ascii_lowercase()
                })
                .filter(|one| !one.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut test = false;
    let mut output_exe = false;
    for node in root.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        match tag {
            "Sdk" => {
                if let Some(name) = node.attribute("Name") {
                    sdks.push(name.to_ascii_lowercase());
                }
            }
            "Import" => {
                if let Some(name) = node.attribute("Sdk") {
                    sdks.push(name.to_ascii_lowercase());
                }
            }
            "PackageReference" | "FrameworkReference" => {
                let Some(name) = node.attribute("Include").or(node.attribute("Update")) else {
                    continue;
                };
                let name = name.trim().to_ascii_lowercase();
                let private = node
                    .attribute("PrivateAssets")
                    .or_else(|| {
                        node.children()
                            .find(|c| c.has_tag_name("PrivateAssets"))
                            .and_then(|c| c.text())
                    })
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("all"));
                if DOTNET_TEST_PACKAGES.contains(&name.as_str()) {
                    test = true;
                }
                m.add(&name, Vec::new(), private);
            }
            "IsTestProject" => {
                test |= node
                    .text()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("true"));
            }
            "OutputType" => {
                output_exe |= node.text().is_some_and(|t| {
                    let t = t.trim();
                    t.eq_ignore_ascii_case("exe") || t.eq_ignore_ascii_case("winexe")
                });
            }
            "AssemblyName" if m.name.is_none() => {
                m.name = node
                    .text()
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }
    let web = sdks.iter().any(|s| s == "microsoft.net.sdk.web");
    for sdk in sdks {
        m.add(&sdk, Vec::new(), false);
    }
    m.executable = if test {
        Some(false)
    } else if web || output_exe {
        Some(true)
    } else {
        None
    };
    Ok(m)
}

/// Elixir's `mix.exs`: the dependency tuples (`{:phoenix, "~> 1.7"}`),
/// development or test ones by their `only:` (`only: :dev`,
/// `only: [:dev, :test]`; `only: :prod` stays a production one), the
/// `app:` name, whether the OTP application starts a supervision tree
/// (`mod: {App.Application, []}`: something that runs), and an umbrella
/// root (`apps_path:`).
fn mix_exs(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let tokens = code::tokenize(text, Lang::Ruby);
    let ident = |i: usize| match tokens.get(i).map(|t| &t.token) {
        Some(Token::Ident(w)) => Some(w.as_str()),
        _ => None,
    };
    let punct = |i: usize, c: char| matches!(tokens.get(i).map(|t| &t.token), Some(Token::Punct(p)) if *p == c);
    for i in 0..tokens.len() {
        // `{:name, …}`: a dependency, up to its closing brace.
        if punct(i, '{') && punct(i + 1, ':') && punct(i + 3, ',') {
            let Some(name) = ident(i + 2) else { continue };
            let mut depth = 0usize;
            let mut end = i;
            for (j, t) in tokens.iter().enumerate().skip(i) {
                match t.token {
                    Token::Punct('{') | Token::Punct('[') => depth += 1,
                    Token::Punct('}') | Token::Punct(']') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            // The environments after `only:` (one atom or a list).
            let mut dev = false;
            let mut j = i + 4;
            while j < end {
                if ident(j) == Some("only") && punct(j + 1, ':') {
                    let envs: Vec<&str> = (j + 2..end.min(j + 12))
                        .filter(|k| punct(*k, ':'))
                        .filter_map(|k| ident(k + 1))
                        .collect();
                    dev = !envs.is_empty() && !envs.contains(&"prod");
                    break;
                }
                j += 1;
            }
            // `{:mod, …}` inside `application` is not a dependency.
            if !(i > 0 && ident(i - 2) == Some("mod")) {
                m.add(name, Vec::new(), dev);
            }
        }
        match ident(i) {
            Some("app") if punct(i + 1, ':') && punct(i + 2, ':') && m.name.is_none() => {
                m.name = ident(i + 3).map(str::to_string);
            }
            Some("mod") if punct(i + 1, ':') && punct(i + 2, '{') => {
                m.executable = Some(true);
            }
            Some("apps_path") if punct(i + 1, ':') => {
                m.is_workspace_root = true;
            }
            _ => {}
        }
    }
    m
}

/// build.gradle(.kts): dependency coordinates are string literals
/// `"group:artifact:version"` in configuration calls; plugins are `id("…")`.
fn gradle(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let tokens = code::tokenize(text, Lang::CLike);
    // The identifier before a string is its configuration (`implementation`,
    // `testImplementation`) or `id` for a plugin.
    let mut config = String::new();
    for t in &tokens {
        match &t.token {
            // `plugins { war }` (Kotlin DSL).
            Token::Ident(word) if config == "plugins" && word == "war" => {
                m.packaging_war = true;
                config = word.clone();
            }
            Token::Ident(word) => config = word.clone(),
            Token::Str(value)
                if config == "id"
                    && (value == "org.springframework.boot"
                        || value == "io.quarkus"
                        || value.starts_with("io.micronaut.application")) =>
            {
                m.executable = Some(true);
            }
            Token::Str(value) if config == "id" && value == "com.google.cloud.tools.jib" => {
                m.builds_image = true;
            }
            // `id 'war'`, `apply plugin: 'war'`.
            Token::Str(value) if (config == "id" || config == "plugin") && value == "war" => {
                m.packaging_war = true;
            }
            Token::Str(_) if config == "id" => {}
            Token::Str(value) => {
                let parts: Vec<&str> = value.split(':').collect();
                if parts.len() >= 2
                    && parts
                        .iter()
                        .take(2)
                        .all(|p| !p.is_empty() && !p.contains(' ') && !p.contains('$'))
                {
                    let dev = config.starts_with("test")
                        || config == "compileOnly"
                        || config == "annotationProcessor";
                    m.add(&format!("{}:{}", parts[0], parts[1]), Vec::new(), dev);
                }
            }
            _ => {}
        }
    }
    m
}

fn go_mod(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let mut in_require = false;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap_or("").trim();
        if let Some(module) = line.strip_prefix("module ") {
            m.name = Some(module.trim().to_string());
        } else if line.starts_with("require (") || line == "require(" {
            in_require = true;
        } else if in_require && line == ")" {
            in_require = false;
        } else if let Some(req) = line.strip_prefix("require ").or(in_require.then_some(line)) {
            if let Some(path) = req.split_whitespace().next().filter(|p| !p.is_empty()) {
                let indirect = raw.contains("// indirect");
                m.add(path, Vec::new(), indirect);
            }
        }
    }
    m
}

fn cargo(text: &str) -> Result<Manifest, String> {
    let doc = toml_table(text)?;
    let mut m = Manifest::default();
    let package = doc.get("package");
    m.name = package
        .and_then(|p| p.get("name"))
        .and_then(Toml::as_str)
        .map(str::to_string);
    m.is_workspace_root = package.is_none() && doc.contains_key("workspace");
    let mut add_table = |table: Option<&Toml>, dev: bool| {
        if let Some(Toml::Table(deps)) = table {
            for (name, spec) in deps {
                let features = string_list(spec, "features");
                let real = spec.get("package").and_then(Toml::as_str).unwrap_or(name);
                m.add(real, features, dev);
            }
        }
    };
    add_table(doc.get("dependencies"), false);
    add_table(doc.get("dev-dependencies"), true);
    add_table(
        doc.get("workspace").and_then(|w| w.get("dependencies")),
        false,
    );
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(kind: FileKind, text: &str) -> Manifest {
        parse(kind, text.to_string()).expect("parses")
    }

    #[test]
    fn pip_compile_transitive_pins_are_not_the_apps_own() {
        let m = parse_ok(
            FileKind::Requirements,
            "faker==40.1.0\n    # via -r requirements.in\nflask==3.1.3\n    # via\n    #   flask-cors\n    #   locust\nlocust==2.0\n    # via\n    #   -r requirements.in\n    #   other\ndjango==5.0  # via pyproject.toml\n",
        );
        assert!(m.has("faker") && m.has("locust") && m.has("django"));
        assert!(!m.has("flask"), "flask is only pulled in by locust");
    }

    #[test]
    fn requirements_and_pyproject() {
        let m = parse_ok(
            FileKind::Requirements,
            "# web\nDjango[argon2]>=5.0  # pinned\n-r base.txt\nsentry_sdk==2.3 ; python_version > '3.8'\ngit+https://x/y.git\n",
        );
        assert!(m.has("django") && m.has("sentry-sdk"));
        assert_eq!(m.dependencies["django"].features, ["argon2"]);
        let m = parse_ok(
            FileKind::PyProject,
            "[project]\nname='svc'\ndependencies=['fastapi>=0.110', 'SQLAlchemy']\n[tool.poetry.group.dev.dependencies]\npytest='*'\n",
        );
        assert!(m.has("fastapi") && m.has("sqlalchemy"));
        assert!(m.dependencies["pytest"].dev);
    }

    #[test]
    fn gemfile_groups() {
        let m = parse_ok(
            FileKind::Gemfile,
            "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n# gem 'sentry-rails'\ngroup :development, :test do\n  gem 'sqlite3'\nend\ngem 'pg'\n",
        );
        assert!(m.has("rails") && m.has("pg") && !m.has("sentry-rails"));
        assert!(m.dependencies["sqlite3"].dev && !m.dependencies["pg"].dev);
    }

    #[test]
    fn maven_gradle_go_cargo() {
        let m = parse_ok(
            FileKind::MavenPom,
            "<project><artifactId>api</artifactId><dependencies><dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency></dependencies><build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build></project>",
        );
        assert!(m.has("org.springframework.boot:spring-boot-starter-web"));
        assert_eq!(m.executable, Some(true));
        let m = parse_ok(
            FileKind::Gradle,
            "plugins { id(\"org.springframework.boot\") version \"3.3.0\" }\ndependencies {\n  implementation(\"org.springframework.boot:spring-boot-starter-actuator\")\n  // implementation 'io.sentry:sentry-spring-boot-starter:7.0.0'\n  testImplementation 'org.springframework.boot:spring-boot-starter-test'\n}\n",
        );
        assert!(m.has("org.springframework.boot:spring-boot-starter-actuator"));
        assert!(!m.has("io.sentry:sentry-spring-boot-starter"));
        assert!(m.dependencies["org.springframework.boot:spring-boot-starter-test"].dev);
        assert_eq!(m.executable, Some(true));
        let m = parse_ok(
            FileKind::GoMod,
            "module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n\tgithub.com/mattn/go-sqlite3 v1.14.22 // indirect\n)\nrequire github.com/getsentry/sentry-go v0.28.0\n",
        );
        assert!(m.has("github.com/gin-gonic/gin") && m.has("github.com/getsentry/sentry-go"));
        assert!(m.dependencies["github.com/mattn/go-sqlite3"].dev);
        let m = parse_ok(
            FileKind::CargoToml,
            "[package]\nname='api'\n[dependencies]\naxum='0.7'\nsqlx={version='0.8', features=['runtime-tokio','sqlite']}\n",
        );
        assert!(m.has("axum"));
        assert!(m.dependencies["sqlx"]
            .features
            .contains(&"sqlite".to_string()));
    }

    #[test]
    fn dotnet_projects_and_mix_exs() {
        let web = parse_ok(
            FileKind::DotnetProject,
            "\u{feff}<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <PackageReference Include=\"Npgsql.EntityFrameworkCore.PostgreSQL\" Version=\"8.0.0\" />\n    <PackageReference Include=\"StyleCop.Analyzers\" PrivateAssets=\"all\" />\n  </ItemGroup>\n</Project>\n",
        );
        assert!(web.has("microsoft.net.sdk.web"));
        assert!(!web.dependencies["npgsql.entityframeworkcore.postgresql"].dev);
        assert!(web.dependencies["stylecop.analyzers"].dev);
        assert_eq!(web.executable, Some(true));
        assert_eq!(web.line_of("microsoft.net.sdk.web"), 1);
        let tests = parse_ok(
            FileKind::DotnetProject,
            "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><ItemGroup><PackageReference Include=\"xunit\" Version=\"2\" /></ItemGroup></Project>",
        );
        assert_eq!(tests.executable, Some(false));
        let console = parse_ok(
            FileKind::DotnetProject,
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>",
        );
        assert!(!console.has("microsoft.net.sdk.web"));
        assert_eq!(console.executable, Some(true));

        let mix = parse_ok(
            FileKind::MixExs,
            "defmodule A.MixProject do\n  def project, do: [app: :shop, deps: deps()]\n  def application, do: [mod: {Shop.Application, []}]\n  defp deps do\n    [\n      {:phoenix, \"~> 1.7\"},\n      {:ecto_sqlite3, \">= 0.0.0\"},\n      {:phoenix_live_reload, \"~> 1.2\", only: :dev},\n      {:floki, \">= 0.30.0\", only: [:dev, :test]},\n      {:rel, \"~> 1\", only: :prod}\n    ]\n  end\nend\n",
        );
        assert_eq!(mix.name.as_deref(), Some("shop"));
        assert_eq!(mix.executable, Some(true));
        assert!(!mix.dependencies["phoenix"].dev);
        assert!(!mix.dependencies["ecto_sqlite3"].dev);
        assert!(mix.dependencies["phoenix_live_reload"].dev);
        assert!(mix.dependencies["floki"].dev);
        assert!(!mix.dependencies["rel"].dev);
        assert_eq!(mix.line_of("phoenix"), 6);
        assert!(!mix.has("shop"));
        let umbrella = parse_ok(
            FileKind::MixExs,
            "defmodule U.MixProject do\n  def project, do: [apps_path: \"apps\", deps: []]\nend\n",
        );
        assert!(umbrella.is_workspace_root);
    }

    #[test]
    fn malformed_manifests_are_errors() {
        assert!(parse(FileKind::PyProject, "[project\n".into()).is_err());
        assert!(parse(FileKind::MavenPom, "<project>".into()).is_err());
        assert!(parse(FileKind::ComposerJson, "{".into()).is_err());
        assert!(parse(FileKind::CargoToml, "[package]\nname=".into()).is_err());
    }
}
