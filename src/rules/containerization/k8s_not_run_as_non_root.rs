//! k8s-not-run-as-non-root: nothing keeps a container from running as root.

use crate::facts::images::parse_image;
use crate::finding::{Category, Finding, Severity, Wording};
use crate::index::{FileId, FileKind};
use crate::rules::containerization::kube_manifests;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "k8s-not-run-as-non-root",
        code: "SW117",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "Container may run as root",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a container of a Deployment, StatefulSet, Argo Rollout or
DeploymentConfig in the repository's Kubernetes manifests when neither the
pod's nor the container's `securityContext` sets `runAsNonRoot: true` or a
non-zero `runAsUser` (in any copy of the workload, Kustomize patches
included) — and the image is not known to run as another user: when the
image is built from a Dockerfile of the repository (matched by name: the
image `acme/api` — or `acme/acme-api`, the project's name first — and
`api/Dockerfile`, `Dockerfile.api`, `api.Dockerfile`;
or the repository's only Dockerfile when the image is named after the
project), a non-root `USER` in its final stage or a `nonroot` distroless
base is enough. Bitnami and Chainguard images, distroless `:nonroot` tags
and the official database and cache images whose entrypoint starts the
server as its own user (postgres, mysql, mariadb, mongo, redis, valkey,
rabbitmq, memcached, elasticsearch, opensearch) are not reported. DaemonSets (node agents that
often need root) and manifests for development or test clusters are left
out.

## Why is this bad?
A process running as root in a container is one kernel or runtime bug away
from root on the node, and can write anywhere in its image. `runAsNonRoot`
makes the kubelet refuse to start the container as root, whatever the
image says.

## Example
### Reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
```

### Not reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
```

## Fix
Set `securityContext: {runAsNonRoot: true, runAsUser: 10001}` on the pod (and
`allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`,
`capabilities: {drop: [ALL]}` on the container), and give the image a
non-root `USER`.

`seaworthy fix --unsafe` adds the `restricted` Pod Security settings to each
cited container that has no `securityContext`: `runAsNonRoot: true`,
`allowPrivilegeEscalation: false`, `capabilities: {drop: ["ALL"]}` and the
`RuntimeDefault` seccomp profile. It is unsafe because an image whose `USER`
is root, or a name rather than a uid, no longer starts.
"#;

const KINDS: &[&str] = &["Deployment", "StatefulSet", "Rollout", "DeploymentConfig"];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let manifests = kube_manifests::manifests(cx);
    let mut findings = Vec::new();
    for subject in manifests.subjects(KINDS) {
        // A container-level setting wins over the pod's.
        let container_says = subject.all.iter().find_map(|c| c.security.non_root());
        let pod_says = subject
            .definitions
            .iter()
            .find_map(|d| d.workload.pod_security.non_root());
        if container_says.or(pod_says) == Some(true) {
            continue;
        }
        // `runAsUser: 0` set on purpose is still reported; a silent default
        // is checked against the image.
        let explicit_root = container_says == Some(false) || pod_says == Some(false);
        let (def, container) = subject.first();
        let image = container.image.as_deref().unwrap_or_default();
        if !explicit_root && image_runs_non_root(cx, image) {
            continue;
        }
        let message = format!(
            "{} {} in {}: container {} ({}) {}.",
            subject.kind,
            code(subject.name),
            code(def.rel),
            code(subject.container),
            code(image),
            if explicit_root {
                "is set to run as root (`runAsUser: 0` or `runAsNonRoot: false`)"
            } else {
                "has no `runAsNonRoot: true` or non-zero `runAsUser`, and nothing shows its image runs as another user"
            }
        );
        let impact = "The process may run as root: a container escape or a runtime bug then gives root on the node, and the app can rewrite its own image files.".to_string();
        let fix = "Set `securityContext: {runAsNonRoot: true, runAsUser: 10001}` on the pod and `allowPrivilegeEscalation: false`, `capabilities: {drop: [ALL]}` on the container; give the image a non-root `USER`.".to_string();
        findings.push(RULE.meta.finding(
            kube_manifests::app_of(cx, &manifests, &subject),
            message,
            impact,
            fix,
            subject.container_locations(),
        ));
    }
    findings
}

/// Official images whose entrypoint starts the server as its own user
/// (`gosu postgres`, `gosu redis`, …) or whose Dockerfile sets a non-root
/// `USER`: the server never runs as root even without a security context.
/// Checkov's CKV_K8S_23 reports them; the process it protects against does
/// not exist there (docs/comparison/checkov.md).
const PRIVILEGE_DROPPING_IMAGES: &[&str] = &[
    "elasticsearch",
    "mariadb",
    "memcached",
    "mongo",
    "mysql",
    "opensearchproject/opensearch",
    "postgres",
    "rabbitmq",
    "redis",
    "valkey/valkey",
];

/// Whether the image is known to run as a non-root user: Bitnami images,
/// or an image built from a repository Dockerfile whose final stage sets a
/// non-root `USER` or uses a `nonroot` distroless base.
fn image_runs_non_root(cx: &RepoContext, image: &str) -> bool {
    let (repo, tag) = parse_image(image);
    // Bitnami and Chainguard images, and distroless `nonroot` tags, run as
    // a non-root user by default.
    if repo.starts_with("bitnami/")
        || image.starts_with("cgr.dev/chainguard/")
        || tag.as_deref().is_some_and(|t| t.contains("nonroot"))
        || PRIVILEGE_DROPPING_IMAGES.contains(&repo.as_str())
    {
        return true;
    }
    let name = repo.rsplit('/').next().unwrap_or(&repo).to_string();
    let project_names = crate::rules::containerization::compose_files::project_names(cx);
    // `karakeep-chrome` is the project's `chrome` image: its Dockerfile may
    // sit in a `chrome/` folder. The project goes by its names, and by the
    // npm scope of its workspace root (`@karakeep/root`).
    let scope = cx
        .index
        .find("package.json")
        .and_then(|id| cx.facts.package_json(id))
        .and_then(|pkg| pkg.name.as_deref())
        .and_then(|n| n.strip_prefix('@'))
        .and_then(|n| n.split_once('/'))
        .map(|(scope, _)| scope.to_ascii_lowercase());
    let mut names = vec![name.clone()];
    names.extend(project_names.iter().chain(scope.as_ref()).filter_map(|p| {
        name.strip_prefix(p.as_str())
            .and_then(|rest| rest.strip_prefix(['-', '_']))
            .filter(|rest| !rest.is_empty())
            .map(str::to_string)
    }));
    let by_name = dockerfiles_by_name(cx);
    let named: Vec<FileId> = names
        .iter()
        .filter_map(|name| by_name.by_name.get(name.as_str()))
        .flatten()
        .copied()
        .collect();
    let dockerfiles = &by_name.all;
    // The repository's only Dockerfile builds the image when the image is
    // named after the project (`ghcr.io/acme/shop` in the `shop` folder).
    let project_image = project_names.contains(&name);
    let candidates = if named.is_empty() && dockerfiles.len() == 1 && project_image {
        dockerfiles.clone()
    } else {
        named
    };
    candidates.iter().any(|id| {
        cx.facts
            .dockerfile(*id)
            .and_then(|d| d.final_stage())
            .is_some_and(|stage| {
                let user_ok = stage.user().is_some_and(|u| {
                    let user = u.split(':').next().unwrap_or(u).trim();
                    !user.is_empty() && user != "root" && user != "0"
                });
                user_ok || stage.image.contains("nonroot")
            })
    })
}

/// The product Dockerfiles, and the ones an image name can point at: by
/// their folder (`chrome/Dockerfile`) and by the word of their file name
/// (`Dockerfile.chrome`, `chrome.Dockerfile`), lowercased. Made once per
/// audit: a scan of every Dockerfile per workload grew with the square of
/// the number of apps.
struct DockerfilesByName {
    all: Vec<FileId>,
    by_name: std::collections::HashMap<String, Vec<FileId>>,
}

fn dockerfiles_by_name(cx: &RepoContext) -> std::sync::Arc<DockerfilesByName> {
    cx.memo("product Dockerfiles by name", "", || {
        let roles = cx.file_roles();
        let all: Vec<FileId> = cx
            .index
            .of_kind(FileKind::Dockerfile)
            .iter()
            .copied()
            .filter(|id| !crate::roles::path::is_non_product_path(cx.rel(*id)))
            // The images the project ships: a dev container's or a test
            // image's Dockerfile (`.devcontainer/Dockerfile`) builds no
            // deployed image, so it neither names the image nor makes the
            // project's one Dockerfile one of several (the file-role model
            // decides).
            .filter(|id| {
                roles.dockerfile(*id).is_none_or(|j| {
                    !matches!(
                        j.role.role,
                        crate::roles::Role::Development | crate::roles::Role::Test
                    )
                })
            })
            .collect();
        let mut by_name: std::collections::HashMap<String, Vec<FileId>> = Default::default();
        for id in &all {
            let file = cx.index.get(*id);
            let lower = file.name().to_ascii_lowercase();
            let folder = file
                .dir()
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let mut keys = vec![folder];
            keys.extend(lower.strip_prefix("dockerfile.").map(str::to_string));
            keys.extend(lower.strip_suffix(".dockerfile").map(str::to_string));
            keys.dedup();
            for key in keys {
                by_name.entry(key).or_default().push(*id);
            }
        }
        std::sync::Arc::new(DockerfilesByName { all, by_name })
    })
}
