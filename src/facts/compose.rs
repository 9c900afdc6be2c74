//! Compose files (`docker-compose.yml`, `compose.yaml`, …).

use yaml_rust2::Yaml;

use super::yaml::{get, get_str, line_of_key, load};

#[derive(Debug, Clone)]
pub struct ComposeService {
    pub name: String,
    pub line: u32,
    /// `build:` context, relative to the compose file's folder.
    pub build_context: Option<String>,
    pub dockerfile: Option<String>,
    pub image: Option<String>,
    /// The service's whole definition, for rules that need more of it
    /// (volumes, environment, command).
    pub raw: Yaml,
    /// `build: {target: …}`: the stage built.
    pub target: Option<String>,
    /// `user:`: who the container runs as, overriding the image's `USER`.
    pub user: Option<String>,
}

#[derive(Debug, Default)]
pub struct ComposeFile {
    pub services: Vec<ComposeService>,
}

impl ComposeFile {
    pub fn parse(text: &str) -> Result<ComposeFile, String> {
        let docs = load(text)?;
        let mut file = ComposeFile::default();
        let Some(Yaml::Hash(services)) = docs.first().and_then(|d| get(d, "services")) else {
            return Ok(file);
        };
        let services_line = line_of_key(text, "services", 1);
        // Services appear in file order: each search starts where the
        // previous one ended, so the file is scanned once.
        let mut from = services_line;
        for (name, service) in services {
            let Some(name) = name.as_str() else { continue };
            let (build_context, dockerfile, target) = match get(service, "build") {
                Some(Yaml::String(ctx)) => (Some(ctx.clone()), None, None),
                Some(build @ Yaml::Hash(_)) => (
                    Some(get_str(build, "context").unwrap_or(".").to_string()),
                    get_str(build, "dockerfile").map(str::to_string),
                    get_str(build, "target").map(str::to_string),
                ),
                _ => (None, None, None),
            };
            let user = match get(service, "user") {
                Some(Yaml::String(u)) => Some(u.clone()),
                Some(Yaml::Integer(n)) => Some(n.to_string()),
                _ => None,
            };
            file.services.push(ComposeService {
                name: name.to_string(),
                line: {
                    from = line_of_key(text, name, from);
                    from
                },
                build_context,
                dockerfile,
                image: get_str(service, "image").map(str::to_string),
                raw: service.clone(),
                target,
                user,
            });
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_build_contexts() {
        let compose = ComposeFile::parse(
            "services:\n  web:\n    build:\n      context: ./apps/web\n      dockerfile: Dockerfile\n  api:\n    build: ./api\n  db:\n    image: postgres:17\n",
        )
        .expect("valid");
        let web = &compose.services[0];
        assert_eq!(web.build_context.as_deref(), Some("./apps/web"));
        assert_eq!(web.line, 2);
        assert_eq!(compose.services[1].build_context.as_deref(), Some("./api"));
        assert_eq!(compose.services[2].image.as_deref(), Some("postgres:17"));
        assert_eq!(compose.services[2].line, 8);
    }

    #[test]
    fn malformed_yaml_is_an_error() {
        assert!(ComposeFile::parse("services:\n  web: [\n").is_err());
    }
}
