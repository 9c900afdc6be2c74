//! k8s-missing-readiness-probe: a container that serves traffic has no
//! readiness probe.

use crate::finding::{Category, Finding, Severity, Wording};
use crate::rules::containerization::kube_manifests;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "k8s-missing-readiness-probe",
        code: "SW114",
        severity: Severity::Medium,
        category: Category::ContainerizationDeployment,
        title: "No readiness probe",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reads the Kubernetes manifests of the repository (YAML files in `k8s/`,
`kubernetes/`, `deploy/`, `manifests/`, `kustomize/`, `openshift/`, …
folders that parse as Kubernetes objects; Helm templates are not YAML until
rendered and are not read) and reports a container of a Deployment,
StatefulSet, Argo Rollout or DeploymentConfig that serves traffic — it
declares a `containerPort`, or it is the only container of pods a Service
selects — and has no `readinessProbe`. Databases run in the cluster are
reported too (clients should not be sent to one that is still recovering). Copies of the same workload (a
Kustomize base and its overlays' patches, a plain manifest and a base) are
read together: a probe added by any of them counts. Sidecars (Cloud SQL
proxy, Envoy/Istio, exporters) and manifests for development or test
clusters (`dev`, `local`, `minikube`, `kind`, `test`, `ci` in the path) are
left out, and so are third-party monitoring images (Prometheus, Grafana,
Alertmanager, Jaeger, collectors).

## Why is this bad?
Without a readiness probe a pod receives traffic as soon as its process
starts — before it has connected to its database or warmed up — and keeps
receiving it while it is overloaded or its dependencies are down. Every
rollout and every restart turns into a burst of failed requests.

## Example
### Reported
```yaml file=k8s/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
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
  replicas: 2
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
          readinessProbe:
            httpGet:
              path: /api/health/ready
              port: 3000
            periodSeconds: 5
```

## Fix
Add a `readinessProbe` on an endpoint that answers only when the app can
serve (it checks the database and the other back-ends it needs, with short
timeouts), e.g. `httpGet: {path: /api/health/ready, port: 3000}` with
`periodSeconds: 5` and `failureThreshold: 3`. Keep the liveness probe on a
separate, cheaper endpoint.

`seaworthy fix --unsafe` adds a `readinessProbe` (`httpGet` on the
app's readiness route and the container's first `containerPort`) to the
cited container, and a `livenessProbe` on the app's separate liveness route
when the container has none. The routes are those the audit finds in the
app's code, or those `missing-health-endpoint` writes in the same run. The
app is the one whose folder holds the manifest; for manifests in a shared
folder, the app whose folder a compose service (or a `docker build` in CI
that tags an image of that name) builds the container's image from, else the one app the workload's names spell (its name, the
container's, its `app` / `app.kubernetes.io/name` / `component` labels, the
image's last path segment: `karakeep-web` and `web-deployment` name
`apps/web`), else, in a one-app repository, the app when the manifests run
one image of their own. With no route, or a workload that runs none of the
apps (a database, a front-end that is not an app seaworthy reads), it makes
no change and says why.
It is unsafe because a pod whose route does not answer 200 there never
becomes ready.
"#;

const KINDS: &[&str] = &["Deployment", "StatefulSet", "Rollout", "DeploymentConfig"];

fn check(cx: &RepoContext) -> Vec<Finding> {
    let manifests = kube_manifests::manifests(cx);
    let mut findings = Vec::new();
    for subject in manifests.subjects(KINDS) {
        if subject.any_container(|c| c.readiness.is_some()) {
            continue;
        }
        let (def, container) = subject.first();
        if container.image.as_deref().is_some_and(|i| {
            kube_manifests::is_sidecar_image(i) || kube_manifests::is_monitoring_image(i)
        }) {
            continue;
        }
        let has_ports = subject.any_container(|c| !c.ports.is_empty());
        let only_container = subject.any_workload(|w| w.containers.len() == 1);
        let serves = has_ports || (only_container && manifests.behind_service(&subject));
        if !serves {
            continue;
        }
        let why = if has_ports {
            let port = subject
                .all
                .iter()
                .find_map(|c| c.ports.first())
                .copied()
                .unwrap_or_default();
            format!("it listens on port {port}")
        } else {
            "a Service sends it traffic".to_string()
        };
        let message = format!(
            "{} {} in {}: container {} ({}) has no `readinessProbe`, and {}.",
            subject.kind,
            code(subject.name),
            code(def.rel),
            code(subject.container),
            code(container.image.as_deref().unwrap_or_default()),
            why
        );
        let impact = "Kubernetes sends traffic to the pod as soon as the process starts and keeps sending it while the app cannot serve (warming up, database down, overloaded): every rollout and restart drops requests.".to_string();
        let fix = format!(
            "Add a `readinessProbe` to {} that succeeds only when the app can serve — an HTTP endpoint that checks the database and other required back-ends with short timeouts (`httpGet: {{path: /api/health/ready, port: …}}`, `periodSeconds: 5`, `failureThreshold: 3`) — and keep the liveness probe on a separate, cheaper endpoint.",
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
