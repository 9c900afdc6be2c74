//! How much each platform file says about where the app runs, decided once
//! per audit for every rule.
//!
//! A file a platform reads is not always proof that production runs there:
//! a Procfile is also what foreman starts on a laptop, and a `vercel.json`
//! holding one SPA rewrite (or a cron list, with git deployments switched
//! off) may be left over from a preview while a script ships the app to a
//! VPS. Such files are *contestable*: alone they still say "platform", but
//! beside a hand-run deployment the rules report the contradiction (at a
//! lower severity, naming both sides) instead of staying silent. A Procfile
//! with no sign that a platform reads it is no deployment at all.

use crate::facts::ci::StepKind;
use crate::facts::needles::SHELL_OPERATIONS;
use std::collections::HashMap;

use crate::facts::procfile::Procfile;
use crate::index::{DeployKind, FileId, FileKind};
use crate::rules::RepoContext;

/// How much a deployment definition proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// It defines the deployment.
    Decisive,
    /// It says "platform" only as long as nothing contradicts it.
    Contestable,
    /// It is not a deployment definition (a foreman Procfile).
    None,
}

/// Files that only Heroku-style platforms read, beside a Procfile.
const PLATFORM_COMPANIONS: &[&str] = &[
    "app.json",
    "heroku.yml",
    ".buildpacks",
    ".slugignore",
    "scalingo.json",
    "CHECKS",
    "DOKKU_SCALE",
];

/// Words in CI, scripts and READMEs that say a Procfile is pushed to a
/// platform (`git push heroku main`, the `akhileshns/heroku-deploy` action,
/// `dokku/github-action`, `scalingo deploy`).
const PLATFORM_PUSH_WORDS: &[&str] = &[
    "git push heroku",
    "heroku-deploy",
    "heroku container:",
    "heroku git:remote",
    "dokku/github-action",
    "git push dokku",
    "scalingo",
];

/// Keys of a `vercel.json` that only route requests or schedule crons: the
/// platform builds with its defaults, so the file proves little.
const VERCEL_ROUTING_KEYS: &[&str] = &[
    "$schema",
    "rewrites",
    "redirects",
    "headers",
    "cleanUrls",
    "trailingSlash",
    "crons",
    "git",
    "github",
    "regions",
    "public",
];

/// The weight of every platform definition whose weight is not the
/// default (`Decisive`), by file.
pub(crate) fn weigh(
    cx: &RepoContext,
    candidates: &[(FileId, DeployKind)],
) -> HashMap<FileId, Weight> {
    let mut out = HashMap::new();
    let mut pushed: Option<bool> = None;
    for (id, kind) in candidates {
        let weight = match kind {
            DeployKind::Heroku => match cx.facts.procfile(*id) {
                Some(procfile) => {
                    let pushed = *pushed.get_or_insert_with(|| pushed_to_platform(cx));
                    procfile_weight(cx, *id, procfile, pushed)
                }
                None => continue,
            },
            DeployKind::Vercel if cx.index.get(*id).name().ends_with(".json") => {
                vercel_weight(cx, *id)
            }
            _ => continue,
        };
        if weight != Weight::Decisive {
            out.insert(*id, weight);
        }
    }
    out
}

fn procfile_weight(cx: &RepoContext, id: FileId, procfile: &Procfile, pushed: bool) -> Weight {
    let index = cx.index;
    let dir = index.get(id).dir();
    let companion = PLATFORM_COMPANIONS.iter().any(|name| {
        index.find(&crate::apps::join(dir, name)).is_some() || index.find(name).is_some()
    });
    if companion || pushed {
        return Weight::Decisive;
    }
    // The app the Procfile starts: the one in its folder, else the
    // repository's only app.
    let app = cx
        .apps
        .iter()
        .find(|a| a.dir() == dir)
        .or_else(|| (cx.apps.len() == 1).then(|| &cx.apps[0]));
    let installed = |package: &str| app.is_some_and(|a| a.has_dependency(package));
    let signs = procfile.platform_signs(installed);
    // A `release:` phase or `$PORT` is a platform's vocabulary, whatever
    // else the file starts; a production `web` server counts only when
    // nothing in the file belongs on a laptop.
    let platform_vocabulary = signs.release || signs.port_variable;
    if platform_vocabulary || (signs.production_web && procfile.local_signs().is_empty()) {
        Weight::Contestable
    } else {
        Weight::None
    }
}

/// Whether CI, a script or the root README pushes the repository to a
/// Procfile platform.
fn pushed_to_platform(cx: &RepoContext) -> bool {
    let says = |text: &str| PLATFORM_PUSH_WORDS.iter().any(|w| text.contains(w));
    let ci = cx.index.of_kind(FileKind::CiConfig).iter().any(|id| {
        cx.facts
            .ci_pipeline(*id)
            .is_some_and(|p| p.steps.iter().any(|s| says(&s.text)))
    });
    let readme = cx
        .repo_readme_texts()
        .any(|text| says(text) || text.contains("heroku.com/deploy"));
    let scripts = cx.index.of_kind(FileKind::ShellScript).iter().any(|id| {
        cx.facts
            .shell_script_mentioning(*id, SHELL_OPERATIONS)
            .is_some_and(|s| {
                s.commands.iter().any(|c| {
                    (c.name == "git"
                        && c.subcommand() == Some("push")
                        && c.args.iter().any(|a| a == "heroku" || a == "dokku"))
                        || c.name == "heroku"
                        || c.name == "dokku"
                })
            })
    });
    ci || readme || scripts
}

fn vercel_weight(cx: &RepoContext, id: FileId) -> Weight {
    let Some(doc) = cx.facts.json(id) else {
        // Unreadable: it still names the platform.
        return Weight::Decisive;
    };
    let Some(object) = doc.value.as_object() else {
        return Weight::Decisive;
    };
    let git_disabled = object
        .get("git")
        .and_then(|g| g.get("deploymentEnabled"))
        .is_some_and(|v| v == &serde_json::Value::Bool(false));
    let routing_only = object
        .keys()
        .all(|k| VERCEL_ROUTING_KEYS.contains(&k.as_str()));
    if routing_only || git_disabled {
        Weight::Contestable
    } else {
        Weight::Decisive
    }
}

/// A CI step that deploys to a platform which builds and runs the app
/// itself: the app needs no image of its own there.
#[derive(Debug, Clone)]
pub struct CiDeploy {
    pub kind: DeployKind,
    pub ci: FileId,
    pub line: u32,
}

/// Actions that hand a build or the source to a platform (GitHub
/// Actions `uses:`, compared without the `@version`).
const PLATFORM_ACTIONS: &[(&str, DeployKind)] = &[
    ("47ng/actions-clever-cloud", DeployKind::CleverCloud),
    ("akhileshns/heroku-deploy", DeployKind::Heroku),
    ("amondnet/vercel-action", DeployKind::Vercel),
    ("azure/functions-action", DeployKind::Azure),
    ("azure/static-web-apps-deploy", DeployKind::Azure),
    ("azure/webapps-deploy", DeployKind::Azure),
    ("cloudflare/wrangler-action", DeployKind::CloudflareWorkers),
    (
        "digitalocean/app_action",
        DeployKind::DigitalOceanAppPlatform,
    ),
    (
        "einaregilsson/beanstalk-deploy",
        DeployKind::AwsElasticBeanstalk,
    ),
    (
        "google-github-actions/deploy-appengine",
        DeployKind::GoogleAppEngine,
    ),
    ("koyeb/action-git-deploy", DeployKind::Koyeb),
    ("nwtgck/actions-netlify", DeployKind::Netlify),
];

/// Platform CLI commands that deploy (words in order, adjacent).
const PLATFORM_COMMANDS: &[(&[&str], DeployKind)] = &[
    (&["az", "webapp", "deploy"], DeployKind::Azure),
    (&["az", "webapp", "up"], DeployKind::Azure),
    (&["az", "webapp", "deployment", "source"], DeployKind::Azure),
    (
        &["az", "functionapp", "deployment", "source"],
        DeployKind::Azure,
    ),
    (
        &["func", "azure", "functionapp", "publish"],
        DeployKind::Azure,
    ),
    (&["cf", "push"], DeployKind::CloudFoundry),
    (&["clever", "deploy"], DeployKind::CleverCloud),
    (&["eb", "deploy"], DeployKind::AwsElasticBeanstalk),
    (&["fly", "deploy"], DeployKind::FlyIo),
    (&["flyctl", "deploy"], DeployKind::FlyIo),
    (&["gcloud", "app", "deploy"], DeployKind::GoogleAppEngine),
    (&["liara", "deploy"], DeployKind::Liara),
    (&["netlify", "deploy"], DeployKind::Netlify),
    (&["railway", "up"], DeployKind::Railway),
    (&["scalingo", "deploy"], DeployKind::Scalingo),
    (&["vercel", "deploy"], DeployKind::Vercel),
    (&["vercel", "--prod"], DeployKind::Vercel),
    (&["wrangler", "deploy"], DeployKind::CloudflareWorkers),
    (&["wrangler", "publish"], DeployKind::CloudflareWorkers),
];

/// Every CI step (outside example and test folders) that deploys to a
/// platform listed above, in file order.
pub(crate) fn ci_platform_deploys(cx: &RepoContext) -> Vec<CiDeploy> {
    let mut out = Vec::new();
    for id in cx.index.of_kind(FileKind::CiConfig) {
        if cx.index.get(*id).non_product {
            continue;
        }
        let Some(pipeline) = cx.facts.ci_pipeline(*id) else {
            continue;
        };
        for step in &pipeline.steps {
            let kind = match step.kind {
                StepKind::Uses => {
                    let name = step.text.split('@').next().unwrap_or("").trim();
                    let name = name.to_ascii_lowercase();
                    PLATFORM_ACTIONS
                        .iter()
                        .find(|(action, _)| name == *action)
                        .map(|(_, kind)| *kind)
                }
                StepKind::Run => step.text.lines().find_map(command_platform),
                StepKind::Input => None,
            };
            if let Some(kind) = kind {
                out.push(CiDeploy {
                    kind,
                    ci: *id,
                    line: step.line,
                });
            }
        }
    }
    out
}

/// The platform a shell line deploys to, if its words hold a deploy
/// command (`npx vercel --prod`, `az webapp deploy --src-path app.zip`).
fn command_platform(line: &str) -> Option<DeployKind> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    PLATFORM_COMMANDS
        .iter()
        .find(|(pattern, _)| words.windows(pattern.len()).any(|w| w == *pattern))
        .map(|(_, kind)| *kind)
}

impl CiDeploy {
    /// Whether the step deploys `app`: the repository's only app, or the
    /// app whose folder the pipeline names (a root app: when the pipeline
    /// names no other app's folder).
    pub fn deploys(&self, cx: &RepoContext, app: &crate::apps::App) -> bool {
        if cx.apps.len() == 1 {
            return true;
        }
        let Ok(text) = crate::facts::text::read_text(&cx.index.path(self.ci), 1 << 20) else {
            return false;
        };
        let names = |dir: &str| {
            text.match_indices(dir).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + dir.len()..].chars().next();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
            })
        };
        let dir = app.dir();
        if dir.is_empty() {
            return !cx
                .apps
                .iter()
                .any(|other| !other.dir().is_empty() && names(other.dir()));
        }
        names(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_commands_are_read_from_shell_lines() {
        assert_eq!(
            command_platform("npx vercel --prod --token $TOKEN"),
            Some(DeployKind::Vercel)
        );
        assert_eq!(
            command_platform("az webapp deploy --src-path app.zip --name shop"),
            Some(DeployKind::Azure)
        );
        assert_eq!(
            command_platform("cd api && liara deploy --app shop"),
            Some(DeployKind::Liara)
        );
        assert_eq!(command_platform("echo cf pushes nothing"), None);
        assert_eq!(command_platform("az webapp list"), None);
    }
}
