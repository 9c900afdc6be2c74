//! env-example-drift: the variables the app's code reads without a
//! default are added to its env example, empty, each under a comment that
//! says where the code reads it.
//!
//! Safe: an example is documentation; nothing reads it at run time.

use crate::finding::Finding;
use crate::rules::configuration::env_example_drift;
use crate::rules::{AppContext, RepoContext};

use super::env_example;
use crate::fix::Builder;

pub fn plan(repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let app = finding
        .app
        .as_ref()
        .and_then(|p| repo.apps.iter().find(|a| &a.path == p))
        .ok_or_else(|| "the finding names no app".to_string())?;
    let cx = AppContext::new(repo, app);
    let Some((example, missing)) = env_example_drift::drift(&cx) else {
        return Err("the app's env example lists every variable now".to_string());
    };
    let vars: Vec<(String, String, String)> = missing
        .into_iter()
        .map(|(name, at)| {
            (
                name,
                String::new(),
                format!("required: read at {}:{}", at.path, at.line),
            )
        })
        .collect();
    let before = b.read(&example);
    env_example::add(b, &example, &vars);
    if b.read(&example) == before {
        return Err(format!("{example} lists these variables already"));
    }
    b.manual(format!(
        "Fill in the new entries of {example} with a description or a safe default, and set them wherever the app is deployed."
    ));
    Ok(())
}
