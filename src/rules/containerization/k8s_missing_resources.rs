//! k8s-missing-resources: a container runs without a memory limit.

use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::containerization::kube_manifests;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "k8s-missing-resources",
        code: "SW116",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "No memory limit or requests",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a container of a Deployment, StatefulSet, DaemonSet, Argo Rollout or
DeploymentConfig in the repository's Kubernetes manifests with no
`resources.limits.memory` — the message also says whether requests are
missing. A limit set by any copy of the workload (a Kustomize patch) counts,
and so does a `LimitRange` with a default memory limit. Helm templates (not
YAML until rendered) and manifests for development or test clusters are not
read.

## Why is this bad?
Without a memory limit one leaking pod takes the node's memory and the
kernel's OOM killer picks victims among its neighbours; without requests the
scheduler packs pods onto nodes that cannot hold them, and they are the first
evicted under pressure.

## Example
### Reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/worker:1.4.0
```

### Not reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
        - name: worker
          image: ghcr.io/acme/worker:1.4.0
          resources:
            requests:
              cpu: 100m
              memory: 256Mi
            limits:
              memory: 512Mi
```

## Fix
Set `resources.requests` (cpu and memory, from observed usage) and
`resources.limits.memory` (a margin above the peak); a CPU limit is optional
and often left out to avoid throttling.

`seaworthy fix --unsafe` adds `resources` (requests 100m CPU and 256Mi,
a 512Mi memory limit) at the end of each cited container that has none. It
is unsafe because the figures are a starting point, not measured: replace
them with the container's observed usage.
"#;

const KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Rollout",
    "DeploymentConfig",
];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let manifests = kube_manifests::manifests(cx);
    if manifests.default_memory_limit() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for subject in manifests.subjects(KINDS) {
        let limited =
            subject.any_container(|c| c.resources.as_ref().is_some_and(|r| r.limits_memory));
        if limited {
            continue;
        }
        let requested = subject.any_container(|c| {
            c.resources
                .as_ref()
                .is_some_and(|r| r.requests_memory || r.requests_cpu)
        });
        let (def, container) = subject.first();
        let message = format!(
            "{} {} in {}: container {} ({}) has no memory limit{}.",
            subject.kind,
            code(subject.name),
            code(def.rel),
            code(subject.container),
            code(container.image.as_deref().unwrap_or_default()),
            if requested {
                ""
            } else {
                " and no resource requests"
            }
        );
        let impact = "A leak or a traffic spike in this container can take all of the node's memory: the OOM killer then hits other pods, and without requests the scheduler places pods on nodes that cannot hold them.".to_string();
        let fix = format!(
            "Give {} `resources.requests` (cpu and memory, from observed usage) and `resources.limits.memory` a margin above its peak (e.g. `requests: {{cpu: 100m, memory: 256Mi}}`, `limits: {{memory: 512Mi}}`).",
            code(subject.container)
        );
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
