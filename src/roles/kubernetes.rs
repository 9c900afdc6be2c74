//! What a Kubernetes manifest is for: the manifests of a development or
//! test cluster (`k8s/dev/`, `kind-config.yaml`, `overlays/local/`) are
//! not the deployment; the others are.

use super::{path, role_of_word, FileRole, Role};

/// Words in a manifest's path that mark a development or test cluster.
const DEV_WORDS: &[&str] = &[
    "ci",
    "debug",
    "dev",
    "development",
    "e2e",
    "kind",
    "local",
    "minikube",
    "sandbox",
    "test",
    "testing",
    "tests",
];

/// What a manifest's path says, when it rules the deployment out.
pub fn path_role(rel: &str) -> Option<FileRole> {
    let lower = rel.to_ascii_lowercase();
    if let Some(word) = lower
        .split(['/', '.', '-', '_'])
        .find(|w| DEV_WORDS.contains(w))
    {
        let role = match role_of_word(word) {
            Role::Test | Role::Ci => role_of_word(word),
            _ => Role::Development,
        };
        return Some(FileRole::new(
            role,
            format!("its path says `{word}`: a development or test cluster"),
        ));
    }
    super::path_role(rel).filter(|_| path::is_non_product_path(rel))
}

/// Whether a manifest path is for a development or test cluster.
pub fn is_dev_path(rel: &str) -> bool {
    path_role(rel).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_paths() {
        assert_eq!(
            path_role("k8s/overlays/dev/deployment.yaml").map(|r| r.role),
            Some(Role::Development)
        );
        assert_eq!(
            path_role("deploy/e2e/app.yaml").map(|r| r.role),
            Some(Role::Test)
        );
        assert!(is_dev_path("examples/k8s/app.yaml"));
        assert!(!is_dev_path("k8s/production/deployment.yaml"));
    }
}
