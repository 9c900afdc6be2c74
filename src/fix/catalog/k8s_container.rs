//! Kubernetes container settings, added at the end of each cited
//! container's block (`- name: web` … ) in every manifest the finding
//! cites, comments and layout kept:
//!
//! - k8s-missing-resources: `resources` with requests (100m CPU, 256Mi) and
//!   a memory limit (512Mi). Unsafe: the numbers are a starting point, not
//!   measured; a container that needs more memory is OOM-killed.
//! - k8s-not-run-as-non-root: the `restricted` Pod Security settings —
//!   `runAsNonRoot`, `allowPrivilegeEscalation: false`, all capabilities
//!   dropped, the runtime's default seccomp profile. Unsafe: an image whose
//!   `USER` is root or a name (not a uid) no longer starts.

use crate::facts::kubernetes::{Container, KubeFile};
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{indent, LineEdits, Text};
use super::{cited_files, relocated};
use crate::fix::Builder;

pub fn plan_resources(
    _repo: &RepoContext,
    finding: &Finding,
    b: &mut Builder,
) -> Result<(), String> {
    plan_each(finding, b, Setting::Resources)?;
    b.manual("Replace the requests and the memory limit with figures from the container's observed usage (`kubectl top pod`, your metrics): requests near the typical use, the limit a margin above the peak.");
    Ok(())
}

pub fn plan_security(
    _repo: &RepoContext,
    finding: &Finding,
    b: &mut Builder,
) -> Result<(), String> {
    plan_each(finding, b, Setting::Security)?;
    b.manual("The image must run as a numeric non-root USER (`seaworthy fix --rule dockerfile-runs-as-root` gives the repository's Dockerfiles one); otherwise set `runAsUser` to its uid.");
    Ok(())
}

#[derive(Clone, Copy)]
pub enum Setting {
    Resources,
    Security,
}

fn plan_each(finding: &Finding, b: &mut Builder, setting: Setting) -> Result<(), String> {
    let files: Vec<String> = cited_files(finding).iter().map(|p| p.to_string()).collect();
    if files.is_empty() {
        return Err("the finding cites no manifest".to_string());
    }
    for path in files {
        let text = b
            .read(&path)
            .ok_or_else(|| format!("{path} is not there any more"))?;
        let lines = relocated(b, finding, &path, &text, anchors);
        let after = fix_text(&text, &lines, setting)?;
        b.modify(&path, after);
    }
    Ok(())
}

/// What each container line of a manifest holds.
pub(crate) fn anchors(text: &str) -> Vec<(String, u32)> {
    let Ok(file) = KubeFile::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, o) in file.objects.iter().enumerate() {
        for c in o.workload.iter().flat_map(|w| w.containers.iter()) {
            out.push((format!("{i} {} {}", o.kind, c.name), c.line));
        }
    }
    out
}

pub fn fix_text(text: &str, cited: &[u32], setting: Setting) -> Result<String, String> {
    let file = KubeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let containers: Vec<&Container> = file
        .objects
        .iter()
        .flat_map(|o| o.workload.iter().flat_map(|w| w.containers.iter()))
        .filter(|c| cited.contains(&c.line))
        .collect();
    let mut edits = LineEdits::default();
    for c in containers {
        let first = lines.line(c.line).unwrap_or_default();
        let Some(dash) = first.trim_start().strip_prefix("- ") else {
            return Err(format!(
                "container `{}` is written in flow style: add the settings by hand",
                c.name
            ));
        };
        let key_indent = indent(first) + 2 + (dash.len() - dash.trim_start().len());
        let pad = |n: usize| " ".repeat(key_indent + 2 * n);
        let block: Vec<String> = match setting {
            Setting::Resources => {
                if c.resources.is_some() {
                    return Err(format!(
                        "container `{}` has a `resources:` block without a memory limit: complete it by hand",
                        c.name
                    ));
                }
                vec![
                    format!("{}resources:", pad(0)),
                    format!("{}requests:", pad(1)),
                    format!("{}cpu: 100m", pad(2)),
                    format!("{}memory: 256Mi", pad(2)),
                    format!("{}limits:", pad(1)),
                    format!("{}memory: 512Mi", pad(2)),
                ]
            }
            Setting::Security => {
                if c.security.line.is_some() {
                    return Err(format!(
                        "container `{}` has a `securityContext:` already: add `runAsNonRoot: true` to it by hand",
                        c.name
                    ));
                }
                vec![
                    format!("{}securityContext:", pad(0)),
                    format!("{}runAsNonRoot: true", pad(1)),
                    format!("{}allowPrivilegeEscalation: false", pad(1)),
                    format!("{}capabilities:", pad(1)),
                    format!("{}drop: [\"ALL\"]", pad(2)),
                    format!("{}seccompProfile:", pad(1)),
                    format!("{}type: RuntimeDefault", pad(2)),
                ]
            }
        };
        edits.insert_after(lines.block_end(c.line), block);
    }
    if edits.is_empty() {
        return Err("the cited containers are not in the file any more".to_string());
    }
    Ok(edits.apply(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.0.0\n          ports:\n            - containerPort: 3000\n        # the sidecar\n        - name: proxy\n          image: envoyproxy/envoy:v1.31\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 3000}]\n";

    #[test]
    fn settings_close_the_cited_container_block() {
        let out = fix_text(DEPLOYMENT, &[13], Setting::Resources).expect("fixed");
        assert!(out.contains("            - containerPort: 3000\n          resources:\n            requests:\n              cpu: 100m\n              memory: 256Mi\n            limits:\n              memory: 512Mi\n        # the sidecar\n"), "{out}");
        let parsed = KubeFile::parse(&out).expect("YAML");
        let web = &parsed.objects[0]
            .workload
            .as_ref()
            .expect("workload")
            .containers[0];
        assert!(web.resources.as_ref().is_some_and(|r| r.limits_memory));
        let out = fix_text(&out, &[24], Setting::Security).expect("fixed");
        let parsed = KubeFile::parse(&out).expect("YAML");
        let proxy = &parsed.objects[0]
            .workload
            .as_ref()
            .expect("workload")
            .containers[1];
        assert_eq!(proxy.security.non_root(), Some(true));
        assert!(out.ends_with("          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            capabilities:\n              drop: [\"ALL\"]\n            seccompProfile:\n              type: RuntimeDefault\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 3000}]\n"), "{out}");
        assert!(
            fix_text(&out, &[24], Setting::Security).is_err(),
            "a second time: nothing to add"
        );
    }
}
