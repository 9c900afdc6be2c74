//! AWS credentials and region for `--backups`, from the standard chain the
//! AWS CLI and SDKs read, as far as static keys go:
//!
//! 1. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (`AWS_SESSION_TOKEN`);
//! 2. the profile `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`, else `default`)
//!    of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
//!    `~/.aws/credentials`), then of the config file (`AWS_CONFIG_FILE`,
//!    else `~/.aws/config`, where it is `[profile NAME]`).
//!
//! The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`
//! in the config file, else `us-east-1`. Profiles that get their keys some
//! other way (`role_arn`, `sso_*`, `credential_process`, `web_identity_*`)
//! are named in the error: they need calls seaworthy does not make.
//!
//! The files are INI as the AWS tools write them, parsed with `configparser`
//! the way botocore reads them: case-sensitive names, full-line comments
//! only (a `#` inside a value is kept).

use std::path::PathBuf;

use configparser::ini::{Ini, IniDefault};

/// Credentials and region, resolved before anything is sent.
#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub token: Option<String>,
    pub region: String,
    /// Where the keys came from, for the notes: "the environment" or
    /// "profile `dev` in /home/me/.aws/credentials".
    pub source: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("region", &self.region)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// The largest AWS configuration file read: they hold a few profiles.
const MAX_FILE: u64 = 1024 * 1024;

/// Keys of a profile that get credentials by a call seaworthy does not make.
const OTHER_SOURCES: &[&str] = &[
    "role_arn",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "web_identity_token_file",
    "credential_source",
];

/// One parsed file: its path (for messages) and its sections.
struct AwsFile {
    path: PathBuf,
    ini: Ini,
}

impl AwsFile {
    /// `None` when there is no such file; `Err` when it cannot be parsed.
    fn load(path: PathBuf) -> Result<Option<AwsFile>, String> {
        let Ok(meta) = std::fs::metadata(&path) else {
            return Ok(None);
        };
        if !meta.is_file() {
            return Ok(None);
        }
        if meta.len() > MAX_FILE {
            return Err(format!(
                "{}: larger than {MAX_FILE} bytes, not read",
                path.display()
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut defaults = IniDefault::default();
        defaults.case_sensitive = true;
        defaults.enable_inline_comments = false;
        // Keys before any section are nobody's profile: keep them out of
        // `[default]`, configparser's own default section name.
        defaults.default_section = "\u{0}no section".to_string();
        let mut ini = Ini::new_from_defaults(defaults);
        ini.read(text)
            .map_err(|e| format!("{}: not an INI file: {e}", path.display()))?;
        Ok(Some(AwsFile { path, ini }))
    }

    fn get(&self, section: &str, key: &str) -> Option<String> {
        self.ini
            .get(section, key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn has_section(&self, section: &str) -> bool {
        self.ini.sections().iter().any(|s| s == section)
    }
}

impl Credentials {
    pub fn from_env() -> Result<Credentials, String> {
        Credentials::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// The chain, with the environment read through `get` (tests give
    /// their own; the files are found from `get("HOME")` and the
    /// `AWS_*_FILE` variables).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Credentials, String> {
        let home = get("HOME")
            .or_else(|| get("USERPROFILE"))
            .map(PathBuf::from);
        let file_of = |var: &str, name: &str| {
            get(var)
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".aws").join(name)))
        };
        // A file that cannot be read or parsed is an error only when the
        // keys have to come from it: with keys in the environment, a broken
        // config file costs only its region.
        let credentials_file = match file_of("AWS_SHARED_CREDENTIALS_FILE", "credentials") {
            Some(p) => AwsFile::load(p),
            None => Ok(None),
        };
        let config_file = match file_of("AWS_CONFIG_FILE", "config") {
            Some(p) => AwsFile::load(p),
            None => Ok(None),
        };
        let explicit_profile = get("AWS_PROFILE").or_else(|| get("AWS_DEFAULT_PROFILE"));
        let profile = explicit_profile
            .clone()
            .unwrap_or_else(|| "default".to_string());
        // In the config file a profile is `[profile NAME]`, except `[default]`.
        let config_section = if profile == "default"
            && config_file
                .as_ref()
                .is_ok_and(|f| f.as_ref().is_some_and(|f| f.has_section("default")))
        {
            "default".to_string()
        } else {
            format!("profile {profile}")
        };
        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .or_else(|| {
                config_file
                    .as_ref()
                    .ok()
                    .and_then(|f| f.as_ref())
                    .and_then(|f| f.get(&config_section, "region"))
            })
            .unwrap_or_else(|| "us-east-1".to_string());

        // 1. The environment.
        let access_key = get("AWS_ACCESS_KEY_ID");
        let secret_key = get("AWS_SECRET_ACCESS_KEY");
        if let (Some(access_key), Some(secret_key)) = (&access_key, &secret_key) {
            return Ok(Credentials {
                access_key: access_key.clone(),
                secret_key: secret_key.clone(),
                token: get("AWS_SESSION_TOKEN"),
                region,
                source: "the environment".to_string(),
            });
        }

        // 2. The profile: the credentials file, then the config file.
        let credentials_file = credentials_file?;
        let config_file = config_file?;
        let places = [
            (credentials_file.as_ref(), profile.clone()),
            (config_file.as_ref(), config_section.clone()),
        ];
        for (file, section) in &places {
            let Some(file) = file else { continue };
            if !file.has_section(section) {
                continue;
            }
            let key = file.get(section, "aws_access_key_id");
            let secret = file.get(section, "aws_secret_access_key");
            match (key, secret) {
                (Some(access_key), Some(secret_key)) => {
                    return Ok(Credentials {
                        access_key,
                        secret_key,
                        token: file.get(section, "aws_session_token"),
                        region,
                        source: format!("profile `{profile}` in {}", file.path.display()),
                    })
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(format!(
                        "--backups: profile `{profile}` in {} has only one of aws_access_key_id and aws_secret_access_key",
                        file.path.display()
                    ))
                }
                (None, None) => {
                    if let Some(other) = OTHER_SOURCES
                        .iter()
                        .find(|k| file.get(section, k).is_some())
                    {
                        return Err(format!(
                            "--backups: profile `{profile}` in {} gets its credentials with {other}, which seaworthy does not call; export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (e.g. `eval \"$(aws configure export-credentials --format env)\"`)",
                            file.path.display()
                        ));
                    }
                }
            }
        }

        let missing: Vec<&str> = [
            access_key.is_none().then_some("AWS_ACCESS_KEY_ID"),
            secret_key.is_none().then_some("AWS_SECRET_ACCESS_KEY"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let looked: Vec<String> = [
            file_of("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
            file_of("AWS_CONFIG_FILE", "config"),
        ]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
        let mut message = format!(
            "--backups needs AWS credentials: {} not set in the environment",
            missing.join(" and ")
        );
        if looked.is_empty() {
            message.push_str(", and no home folder to find ~/.aws in");
        } else {
            message.push_str(&format!(
                ", and no keys for profile `{profile}` in {}",
                looked.join(" or ")
            ));
        }
        if explicit_profile.is_none() {
            message.push_str(" (AWS_PROFILE picks another profile)");
        }
        Err(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn nothing_at_all_names_what_is_missing() {
        let err = Credentials::from_lookup(|_| None).unwrap_err();
        assert!(
            err.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"),
            "{err}"
        );
    }

    #[test]
    fn the_environment_comes_first_and_the_region_falls_back() {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(home.path().join(".aws")).expect("mkdir");
        std::fs::write(
            home.path().join(".aws/credentials"),
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n",
        )
        .expect("write");
        let home_str = home.path().to_string_lossy().to_string();
        let c = Credentials::from_lookup(lookup(&[
            ("HOME", &home_str),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ]))
        .expect("credentials");
        assert_eq!(c.access_key, "ENVKEY");
        assert_eq!(c.region, "us-east-1");
        assert_eq!(c.source, "the environment");
    }

    #[test]
    fn profiles_of_the_credentials_and_config_files() {
        let home = tempfile::tempdir().expect("tempdir");
        let aws = home.path().join(".aws");
        std::fs::create_dir_all(&aws).expect("mkdir");
        std::fs::write(
            aws.join("credentials"),
            "# keys\n[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = def/sec+ret#1\n\n[ops]\naws_access_key_id=OPSKEY\naws_secret_access_key=opssecret\naws_session_token=tok==\n",
        )
        .expect("write");
        std::fs::write(
            aws.join("config"),
            "[default]\nregion = eu-west-3\n\n[profile ops]\nregion = ap-south-1\ns3 =\n  addressing_style = path\n\n[profile cfgonly]\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\n\n[profile sso]\nsso_session = corp\n",
        )
        .expect("write");
        let h = home.path().to_string_lossy().to_string();
        let c = Credentials::from_lookup(lookup(&[("HOME", &h)])).expect("default");
        assert_eq!(
            (
                c.access_key.as_str(),
                c.secret_key.as_str(),
                c.region.as_str()
            ),
            ("DEFKEY", "def/sec+ret#1", "eu-west-3")
        );
        assert!(c.source.contains("profile `default`"), "{}", c.source);
        let c =
            Credentials::from_lookup(lookup(&[("HOME", &h), ("AWS_PROFILE", "ops")])).expect("ops");
        assert_eq!(c.access_key, "OPSKEY");
        assert_eq!(c.token.as_deref(), Some("tok=="));
        assert_eq!(c.region, "ap-south-1");
        let c = Credentials::from_lookup(lookup(&[
            ("HOME", &h),
            ("AWS_PROFILE", "cfgonly"),
            ("AWS_REGION", "us-west-2"),
        ]))
        .expect("config file keys");
        assert_eq!(
            (c.access_key.as_str(), c.region.as_str()),
            ("CFGKEY", "us-west-2")
        );
        let err =
            Credentials::from_lookup(lookup(&[("HOME", &h), ("AWS_PROFILE", "sso")])).unwrap_err();
        assert!(err.contains("sso_session"), "{err}");
        let err =
            Credentials::from_lookup(lookup(&[("HOME", &h), ("AWS_PROFILE", "nope")])).unwrap_err();
        assert!(err.contains("no keys for profile `nope`"), "{err}");
    }

    #[test]
    fn the_file_variables_replace_the_home_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let creds = dir.path().join("creds.ini");
        let config = dir.path().join("conf.ini");
        std::fs::write(
            &creds,
            "[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = cisecret\n",
        )
        .expect("write");
        std::fs::write(&config, "[profile ci]\nregion = sa-east-1\n").expect("write");
        let c = Credentials::from_lookup(lookup(&[
            ("AWS_SHARED_CREDENTIALS_FILE", &creds.to_string_lossy()),
            ("AWS_CONFIG_FILE", &config.to_string_lossy()),
            ("AWS_DEFAULT_PROFILE", "ci"),
        ]))
        .expect("credentials");
        assert_eq!(
            (c.access_key.as_str(), c.region.as_str()),
            ("CIKEY", "sa-east-1")
        );
    }

    #[test]
    fn a_file_that_cannot_be_read_matters_only_when_the_keys_are_in_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config");
        std::fs::write(&config, "#".repeat(MAX_FILE as usize + 1)).expect("write");
        let config_str = config.to_string_lossy().to_string();
        let c = Credentials::from_lookup(lookup(&[
            ("AWS_CONFIG_FILE", &config_str),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
        ]))
        .expect("the environment's keys");
        assert_eq!(c.region, "us-east-1");
        let err =
            Credentials::from_lookup(lookup(&[("AWS_CONFIG_FILE", &config_str)])).unwrap_err();
        assert!(err.contains("larger than"), "{err}");
    }
}
