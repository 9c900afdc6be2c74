//! k8s-single-replica: a web Deployment runs one pod and nothing scales it.

use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::rules::containerization::kube_manifests;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "k8s-single-replica",
        code: "SW118",
        severity: Severity::Low,
        category: Category::ContainerizationDeployment,
        title: "Single replica",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports a Deployment (or Argo Rollout) in the repository's Kubernetes
manifests that serves traffic (a container declares a `containerPort`, or a
Service selects its pods) with `replicas: 1` or no `replicas` (which means 1),
when no copy of it (a Kustomize overlay) sets more and no
HorizontalPodAutoscaler or KEDA ScaledObject targets it. Single-instance
workloads on purpose are left out: `strategy: Recreate`, pods that mount a
PersistentVolumeClaim, databases or caches run as Deployments (by image, or
named `…-db`, `…-cache`), and third-party infrastructure (Prometheus,
Grafana, Alertmanager, exporters, proxies). Helm
templates and manifests for development or test clusters are not read.

## Why is this bad?
With one pod, every node drain, eviction, crash or rollout that cannot
surge is downtime, and the app cannot absorb a spike in traffic.

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
          image: ghcr.io/acme/web:1.4.0
          ports:
            - containerPort: 3000
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
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.0
          ports:
            - containerPort: 3000
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
```

## Fix
Run at least two replicas (`replicas: 2`, or an HPA with `minReplicas: 2`),
spread them with `topologySpreadConstraints` across nodes or zones, and add
a PodDisruptionBudget (`minAvailable: 1`) so drains keep one pod serving.

`seaworthy fix --unsafe` sets `replicas: 2` (or adds it to the
workload's `spec:`) and appends a PodDisruptionBudget with
`minAvailable: 1` over the pods' labels to the same manifest. It refuses
when the app keeps SQLite or user files inside the pod. It is unsafe
because any other state kept in memory or on the pod's disk is no longer
shared.
"#;

const KINDS: &[&str] = &["Deployment", "Rollout"];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let manifests = kube_manifests::manifests(cx);
    let mut findings = Vec::new();
    let mut seen: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    for subject in manifests.subjects(KINDS) {
        // One finding per workload, not per container.
        if seen.contains(&(subject.kind, subject.name)) {
            continue;
        }
        let scaled_out = subject.any_workload(|w| w.replicas.is_some_and(|(r, _)| r != 1));
        if scaled_out || manifests.autoscaled(&subject) {
            continue;
        }
        let deliberate = subject
            .any_workload(|w| w.strategy.as_deref() == Some("Recreate") || w.uses_claim)
            || subject.definitions.iter().any(|d| {
                d.workload.containers.iter().any(|c| {
                    c.image
                        .as_deref()
                        .is_some_and(kube_manifests::is_infrastructure_image)
                })
            })
            || is_database_name(subject.name);
        if deliberate {
            continue;
        }
        let serves =
            subject.any_container(|c| !c.ports.is_empty()) || manifests.behind_service(&subject);
        if !serves {
            continue;
        }
        seen.insert((subject.kind, subject.name));
        let (def, _) = subject.first();
        let replicas_line = subject
            .full
            .iter()
            .find_map(|(d, _)| d.workload.replicas.map(|(_, line)| (d.rel, line)));
        let (rel, line, stated) = match replicas_line {
            Some((rel, line)) => (rel, line, "`replicas: 1`"),
            None => (def.rel, def.object.line, "no `replicas` (so 1)"),
        };
        let message = format!(
            "{} {} in {} has {} and no HorizontalPodAutoscaler targets it.",
            subject.kind,
            code(subject.name),
            code(rel),
            stated
        );
        let impact = "One pod serves all traffic: a node drain, an eviction, a crash or a rollout that cannot surge takes the service down, and a traffic spike has nowhere to go.".to_string();
        let fix = format!(
            "Run at least two replicas of {} (`replicas: 2`, or an HPA with `minReplicas: 2`), spread them with `topologySpreadConstraints`, and add a PodDisruptionBudget with `minAvailable: 1`.",
            code(subject.name)
        );
        findings.push(RULE.meta.finding(
            kube_manifests::app_of(cx, &manifests, &subject),
            message,
            impact,
            fix,
            vec![Location::new(rel, line)],
        ));
    }
    findings
}

/// `user-db`, `orders-database`, `session-cache`: a stateful backing
/// service by its name.
fn is_database_name(name: &str) -> bool {
    name.to_ascii_lowercase().split(['-', '_']).any(|w| {
        matches!(
            w,
            "db" | "database"
                | "cache"
                | "redis"
                | "mongo"
                | "mongodb"
                | "postgres"
                | "postgresql"
                | "mysql"
                | "mariadb"
        )
    })
}
