//! Kubernetes manifests: the objects of a YAML stream that rules look at —
//! workloads with their pod template and containers, Services, and
//! autoscalers — each with the lines a reader can check.
//!
//! Only what parses is read: a Helm template with `{{ … }}` is not YAML
//! and is never parsed here.

use super::yaml_tree::{self, Node};

/// Kinds whose `spec.template` is a pod template, and where it sits.
const POD_TEMPLATE_PATHS: &[(&str, &[&str])] = &[
    ("Deployment", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    // Argo Rollouts and OpenShift keep the Deployment's shape.
    ("Rollout", &["spec", "template"]),
    ("DeploymentConfig", &["spec", "template"]),
];

#[derive(Debug, Clone, Default)]
pub struct SecurityContext {
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub line: Option<u32>,
}

impl SecurityContext {
    fn read(node: Option<&Node>, key_line: Option<u32>) -> SecurityContext {
        let Some(node) = node else {
            return SecurityContext::default();
        };
        SecurityContext {
            run_as_non_root: node.get("runAsNonRoot").and_then(Node::as_bool),
            run_as_user: node.get("runAsUser").and_then(Node::as_i64),
            line: key_line,
        }
    }

    /// `runAsNonRoot: true` or a non-zero `runAsUser`.
    pub fn non_root(&self) -> Option<bool> {
        match (self.run_as_non_root, self.run_as_user) {
            (_, Some(0)) => Some(false),
            (Some(true), _) | (_, Some(_)) => Some(true),
            (Some(false), None) => Some(false),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    /// `httpGet` with its path (default `/`) and port as written.
    Http {
        path: String,
        port: String,
    },
    Tcp,
    Grpc,
    /// `exec` with the command joined by spaces.
    Exec(String),
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub action: ProbeAction,
    /// Line of the probe's key (`livenessProbe:`).
    pub line: u32,
}

impl Probe {
    fn read(node: &Node, line: u32) -> Probe {
        let action = if let Some(http) = node.get("httpGet") {
            ProbeAction::Http {
                path: http.get_str("path").unwrap_or("/").to_string(),
                port: http.get_str("port").unwrap_or_default().to_string(),
            }
        } else if node.get("tcpSocket").is_some() {
            ProbeAction::Tcp
        } else if node.get("grpc").is_some() {
            ProbeAction::Grpc
        } else if let Some(exec) = node.get("exec") {
            let words: Vec<&str> = exec
                .get("command")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect();
            ProbeAction::Exec(words.join(" "))
        } else {
            ProbeAction::Unknown
        };
        Probe { action, line }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub requests_cpu: bool,
    pub requests_memory: bool,
    pub limits_cpu: bool,
    pub limits_memory: bool,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    /// Line of the container's first key (`- name: web`).
    pub line: u32,
    /// `containerPort`s.
    pub ports: Vec<i64>,
    pub readiness: Option<Probe>,
    pub liveness: Option<Probe>,
    pub startup: Option<Probe>,
    /// `resources:` as written; `None` when the key is absent.
    pub resources: Option<Resources>,
    pub security: SecurityContext,
}

impl Container {
    fn read(node: &Node) -> Option<Container> {
        let name = node.get_str("name")?.to_string();
        let probe = |key: &str| {
            node.get(key)
                .filter(|p| p.is_map())
                .map(|p| Probe::read(p, node.key_line(key).unwrap_or(p.line)))
        };
        let resources = node.get("resources").map(|r| {
            let has =
                |section: &str, key: &str| r.at(&[section, key]).is_some_and(|v| !v.is_null());
            Resources {
                requests_cpu: has("requests", "cpu"),
                requests_memory: has("requests", "memory"),
                limits_cpu: has("limits", "cpu"),
                limits_memory: has("limits", "memory"),
            }
        });
        Some(Container {
            name,
            image: node.get_str("image").map(str::to_string),
            line: node.line,
            ports: node
                .get("ports")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| p.get("containerPort").and_then(Node::as_i64))
                .collect(),
            readiness: probe("readinessProbe"),
            liveness: probe("livenessProbe"),
            startup: probe("startupProbe"),
            resources,
            security: SecurityContext::read(
                node.get("securityContext"),
                node.key_line("securityContext"),
            ),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Workload {
    /// `replicas:` and its line, when written.
    pub replicas: Option<(i64, u32)>,
    /// `strategy.type` (`Recreate` keeps a single pod on purpose).
    pub strategy: Option<String>,
    pub pod_labels: Vec<(String, String)>,
    pub pod_security: SecurityContext,
    pub containers: Vec<Container>,
    /// The pod mounts a PersistentVolumeClaim.
    pub uses_claim: bool,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub selector: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ScaleTarget {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub kind: String,
    pub api_version: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Line of `kind:`.
    pub line: u32,
    pub workload: Option<Workload>,
    pub service: Option<Service>,
    /// HorizontalPodAutoscaler or KEDA ScaledObject: what it scales.
    pub scales: Option<ScaleTarget>,
    /// A LimitRange that gives containers default memory limits.
    pub default_memory_limit: bool,
}

#[derive(Debug, Default)]
pub struct KubeFile {
    pub objects: Vec<Object>,
}

impl KubeFile {
    pub fn parse(text: &str) -> Result<KubeFile, String> {
        Ok(KubeFile::from_documents(&yaml_tree::load(text)?))
    }

    /// The objects of documents already loaded.
    pub fn from_documents(docs: &[Node]) -> KubeFile {
        let mut file = KubeFile::default();
        for doc in docs {
            read_object(doc, &mut file.objects, 0);
        }
        file
    }
}

fn labels(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .filter_map(|(k, v, _)| v.as_str().map(|v| (k.to_string(), v.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

fn read_object(doc: &Node, out: &mut Vec<Object>, depth: usize) {
    let (Some(kind), Some(api_version)) = (doc.get_str("kind"), doc.get_str("apiVersion")) else {
        return;
    };
    // `kind: List` holds objects in `items`.
    if kind == "List" && depth == 0 {
        for item in doc.get("items").map(Node::items).unwrap_or(&[]) {
            read_object(item, out, depth + 1);
        }
        return;
    }
    let metadata = doc.get("metadata");
    let workload = POD_TEMPLATE_PATHS
        .iter()
        .find(|(k, _)| *k == kind)
        // A patch may set `replicas` alone, with no pod template.
        .map(|(_, path)| doc.at(path))
        .map(|template| {
            let spec = template.and_then(|t| t.get("spec"));
            let containers = spec
                .and_then(|s| s.get("containers"))
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(Container::read)
                .collect();
            Workload {
                replicas: doc.get("spec").and_then(|s| {
                    s.get("replicas")
                        .and_then(Node::as_i64)
                        .map(|r| (r, s.key_line("replicas").unwrap_or(s.line)))
                }),
                strategy: doc
                    .at(&["spec", "strategy", "type"])
                    .and_then(Node::as_str)
                    .map(str::to_string),
                pod_labels: labels(template.and_then(|t| t.at(&["metadata", "labels"]))),
                pod_security: SecurityContext::read(
                    spec.and_then(|s| s.get("securityContext")),
                    spec.and_then(|s| s.key_line("securityContext")),
                ),
                containers,
                uses_claim: spec
                    .and_then(|s| s.get("volumes"))
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .any(|v| v.get("persistentVolumeClaim").is_some())
                    || doc.at(&["spec", "volumeClaimTemplates"]).is_some(),
            }
        });
    let service = (kind == "Service").then(|| Service {
        selector: labels(doc.at(&["spec", "selector"])),
    });
    let scales = match kind {
        "HorizontalPodAutoscaler" => doc.at(&["spec", "scaleTargetRef"]),
        "ScaledObject" => doc.at(&["spec", "scaleTargetRef"]),
        _ => None,
    }
    .and_then(|target| {
        Some(ScaleTarget {
            kind: target.get_str("kind").unwrap_or("Deployment").to_string(),
            name: target.get_str("name")?.to_string(),
        })
    });
    let default_memory_limit = kind == "LimitRange"
        && doc
            .at(&["spec", "limits"])
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .any(|l| l.at(&["default", "memory"]).is_some());
    out.push(Object {
        kind: kind.to_string(),
        api_version: api_version.to_string(),
        name: metadata.and_then(|m| m.get_str("name")).map(str::to_string),
        namespace: metadata
            .and_then(|m| m.get_str("namespace"))
            .map(str::to_string),
        line: doc.key_line("kind").unwrap_or(doc.line),
        workload,
        service,
        scales,
        default_memory_limit,
    });
}

/// The documents of a manifest file, CRD schemas left out
/// (`without_crd_schemas`); the whole text when that does not parse.
pub fn load_without_crd_schemas(text: &str) -> Result<Vec<Node>, String> {
    match without_crd_schemas(text) {
        std::borrow::Cow::Borrowed(_) => yaml_tree::load(text),
        std::borrow::Cow::Owned(light) => {
            yaml_tree::load(&light).or_else(|_| yaml_tree::load(text))
        }
    }
}

/// The text with the `spec:` of every CustomResourceDefinition blanked
/// out, line for line (line numbers stay those of the file).
///
/// A CRD's spec is the OpenAPI schema of another kind of object, not
/// configuration: no rule reads it, and in a bundled install manifest it is
/// most of the file (Argo CD's `install.yaml`: 2 MB, six copies), so parsing
/// it made the audit ten times slower than the walk. The documents'
/// `apiVersion`, `kind` and `metadata` stay, so the objects are the same.
/// When the result does not parse, the caller parses the original text.
pub fn without_crd_schemas(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if !text.contains("CustomResourceDefinition") {
        return Cow::Borrowed(text);
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_doc_marker = |line: &str| {
        let l = line.trim_end();
        l == "..."
            || l.strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    // Documents as line ranges, between markers.
    let mut docs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for (i, line) in lines.iter().enumerate() {
        if is_doc_marker(line) {
            docs.push(start..i);
            start = i + 1;
        }
    }
    docs.push(start..lines.len());
    let top_level_key = |line: &str| {
        let first = line.as_bytes().first().copied();
        !matches!(
            first,
            None | Some(b' ' | b'\t' | b'#' | b'\n' | b'\r' | b'-')
        )
    };
    let mut blank = vec![false; lines.len()];
    let mut changed = false;
    for doc in docs {
        let is_crd = lines[doc.clone()].iter().any(|line| {
            line.strip_prefix("kind:").is_some_and(|v| {
                let v = v.split(" #").next().unwrap_or("").trim();
                v.trim_matches(['"', '\'']) == "CustomResourceDefinition"
            })
        });
        if !is_crd {
            continue;
        }
        let mut in_spec = false;
        for i in doc {
            let line = lines[i];
            if top_level_key(line) {
                in_spec = line.starts_with("spec:");
            }
            if in_spec {
                blank[i] = true;
                changed = true;
            }
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() / 4);
    for (line, blank) in lines.iter().zip(blank) {
        if blank {
            if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_workloads_services_and_autoscalers() {
        let file = KubeFile::parse(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      securityContext:\n        runAsNonRoot: true\n      containers:\n        - name: web\n          image: acme/web:1\n          ports:\n            - containerPort: 8080\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n          resources:\n            limits:\n              memory: 256Mi\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n",
        )
        .expect("parses");
        assert_eq!(file.objects.len(), 3);
        let deploy = file.objects[0].workload.as_ref().expect("workload");
        assert_eq!(deploy.replicas, Some((2, 6)));
        assert_eq!(deploy.pod_security.non_root(), Some(true));
        let c = &deploy.containers[0];
        assert_eq!(c.line, 15);
        assert_eq!(c.ports, [8080]);
        assert_eq!(c.liveness.as_ref().map(|p| p.line), Some(19));
        assert!(matches!(
            c.liveness.as_ref().map(|p| &p.action),
            Some(ProbeAction::Http { path, .. }) if path == "/healthz"
        ));
        assert!(c.readiness.is_none());
        assert!(c
            .resources
            .as_ref()
            .is_some_and(|r| r.limits_memory && !r.requests_cpu));
        assert_eq!(
            file.objects[1].service.as_ref().map(|s| s.selector.len()),
            Some(1)
        );
        assert_eq!(
            file.objects[2].scales.as_ref().map(|s| s.name.as_str()),
            Some("web")
        );
    }

    #[test]
    fn cronjobs_reach_their_pod_template() {
        let file = KubeFile::parse(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: x\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: x\n              image: busybox\n",
        )
        .expect("parses");
        assert_eq!(
            file.objects[0]
                .workload
                .as_ref()
                .map(|w| w.containers.len()),
            Some(1)
        );
    }

    #[test]
    fn crd_schemas_are_blanked_line_for_line() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: apps.example.com\nspec:\n  group: example.com\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        properties:\n          image: {type: string}\n---\nkind: Service\napiVersion: v1\nmetadata:\n  name: web\n";
        let stripped = without_crd_schemas(text);
        assert_eq!(stripped.lines().count(), text.lines().count());
        assert!(!stripped.contains("openAPIV3Schema"));
        assert!(stripped.contains("replicas: 2"));
        let whole = KubeFile::parse(text).expect("parses");
        let light = KubeFile::parse(&stripped).expect("parses");
        let shape = |f: &KubeFile| {
            f.objects
                .iter()
                .map(|o| (o.kind.clone(), o.name.clone(), o.line, o.workload.is_some()))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&whole), shape(&light));
        assert_eq!(light.objects.len(), 3);
    }

    #[test]
    fn text_without_a_crd_is_not_copied() {
        let text = "kind: Deployment\nspec:\n  replicas: 1\n";
        assert!(matches!(
            without_crd_schemas(text),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
