//! terraform-no-remote-backend: a Terraform root module keeps its state in
//! a local file.

use std::collections::{BTreeMap, BTreeSet};

use crate::apps::resolve;
use crate::facts::terraform::TerraformFile;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileId, FileKind};
use crate::roles::path::is_non_product_path;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "terraform-no-remote-backend",
        code: "SW214",
        severity: Severity::High,
        category: Category::ContainerizationDeployment,
        title: "Terraform state kept locally",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Finds Terraform root modules — folders whose `.tf` files configure a
`provider` — and reports those with no remote state: no `backend "…"` block
(other than `"local"`) inside a `terraform { }` block and no `cloud { }` block
(HCP Terraform) in any of the folder's files. Files are parsed as HCL.

Not reported: the bootstrap module that creates the state bucket and lock
table (only S3/GCS/Azure storage, DynamoDB and KMS resources), child modules (folders another module uses as a local
`source`, and folders under `modules/`), modules under test or example
folders, repositories that use Terragrunt (`terragrunt.hcl`; its
`remote_state` generates the backend), folders whose backend a CI step
writes (`backend.tf` or `backend "` in a pipeline command), and folders where
a `.tf` file could not be parsed (a backend could be hidden there).

## Why is this bad?
Without a backend Terraform writes `terraform.tfstate` next to the code on
whoever ran `apply`. That copy is the only record of what exists: lose the
laptop or the CI workspace and Terraform no longer knows the infrastructure;
two people applying at once overwrite each other's state with no locking;
and the state — full of secrets — tends to end up in git.

## Example
### Reported
```hcl file=infra/main.tf
provider "aws" {
  region = "eu-west-1"
}

resource "aws_instance" "web" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"
}
```

### Not reported
```hcl file=infra/main.tf
terraform {
  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "prod/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}

provider "aws" {
  region = "eu-west-1"
}
```

### Not reported
A child module configures no provider:

```hcl file=modules/bucket/main.tf
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
```

## Fix
Add a remote backend with locking to the root module — S3
(`backend "s3" { bucket, key, region, use_lockfile = true }`), GCS,
azurerm, or HCP Terraform (`cloud { }`) — and run
`terraform init -migrate-state` to move the existing state there. Keep
`*.tfstate` and `.terraform/` in .gitignore.

`seaworthy fix --unsafe` writes `backend.tf` in the root module: `backend
"s3"` with `encrypt` and `use_lockfile` (native locking, Terraform ≥ 1.10)
for AWS, `gcs` for Google Cloud, `azurerm` for Azure, as a partial
configuration whose bucket and key you give at `terraform init
-migrate-state -backend-config=backend.hcl`. It is unsafe because the next
init moves the state, and the bucket must exist first. A module that
declares `backend "local"` is left to you.
"#;

/// Resources a state-bootstrap module creates: the bucket, its settings,
/// the lock table, a key.
fn is_state_bootstrap_resource(kind: &str) -> bool {
    kind.starts_with("aws_s3_bucket")
        || kind.starts_with("google_storage_bucket")
        || kind.starts_with("random_")
        || matches!(
            kind,
            "aws_dynamodb_table"
                | "aws_kms_key"
                | "aws_kms_alias"
                | "azurerm_resource_group"
                | "azurerm_storage_account"
                | "azurerm_storage_container"
        )
}

fn check(cx: &RepoContext) -> Vec<Finding> {
    let index = cx.index;
    let tf_ids: Vec<FileId> = index
        .of_kind(FileKind::Deploy(DeployKind::Terraform))
        .to_vec();
    // Terragrunt generates backends from `remote_state`.
    if tf_ids
        .iter()
        .any(|id| index.get(*id).name().ends_with("terragrunt.hcl"))
    {
        return Vec::new();
    }
    // Folder → its .tf files (None when one failed to parse).
    let mut modules: BTreeMap<&str, Option<Vec<(FileId, &TerraformFile)>>> = BTreeMap::new();
    for id in &tf_ids {
        let file = index.get(*id);
        if !file.name().ends_with(".tf") || is_non_product_path(&file.rel) {
            continue;
        }
        let entry = modules
            .entry(file.dir())
            .or_insert_with(|| Some(Vec::new()));
        match (cx.facts.terraform(*id), entry.as_mut()) {
            (Some(tf), Some(files)) => files.push((*id, tf)),
            (None, _) => *entry = None,
            _ => {}
        }
    }
    // Folders used as local child modules.
    let mut children: BTreeSet<String> = BTreeSet::new();
    for (dir, files) in &modules {
        for (_, tf) in files.iter().flatten() {
            for (source, _) in &tf.module_sources {
                if source.starts_with("./") || source.starts_with("../") {
                    if let Some(target) = resolve(dir, source) {
                        children.insert(target);
                    }
                }
            }
        }
    }
    let ci_writes_backend = index.of_kind(FileKind::CiConfig).iter().any(|id| {
        cx.facts.ci_pipeline(*id).is_some_and(|p| {
            p.steps
                .iter()
                .any(|s| s.text.contains("backend.tf") || s.text.contains("backend \""))
        })
    });
    if ci_writes_backend {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (dir, files) in &modules {
        let Some(files) = files else { continue };
        if children.contains(*dir) || dir.split('/').any(|p| p == "modules") {
            continue;
        }
        let Some((provider_file, (provider, provider_line))) = files
            .iter()
            .find_map(|(id, tf)| tf.providers.first().map(|p| (*id, p)))
        else {
            continue;
        };
        // The module that creates the state bucket (and lock table) for the
        // others has to start on local state: that is the bootstrap.
        let resources: Vec<&str> = files
            .iter()
            .flat_map(|(_, tf)| tf.resources.iter().map(|(t, _)| t.as_str()))
            .collect();
        if !resources.is_empty() && resources.iter().all(|t| is_state_bootstrap_resource(t)) {
            continue;
        }
        let remote = files.iter().any(|(_, tf)| {
            tf.cloud.is_some() || tf.backends.iter().any(|(kind, _)| kind != "local")
        });
        if remote {
            continue;
        }
        let local_backend = files.iter().find_map(|(id, tf)| {
            tf.backends
                .iter()
                .find(|(kind, _)| kind == "local")
                .map(|(_, line)| (*id, *line))
        });
        let shown = if dir.is_empty() { "." } else { dir };
        let mut locations = vec![Location::new(cx.rel(provider_file), *provider_line)];
        let how = match local_backend {
            Some((id, line)) => {
                locations.push(Location::new(cx.rel(id), line));
                format!("declares `backend \"local\"` ({}:{line})", cx.rel(id))
            }
            None => "has no `backend` block and no `cloud` block".to_string(),
        };
        let resources: usize = files.iter().map(|(_, tf)| tf.resources.len()).sum();
        findings.push(RULE.meta.finding(
            None,
            format!(
                "The Terraform root module {} (provider {} at {}:{provider_line}, {resources} resource{}) {how}: its state is a local `terraform.tfstate` on whoever runs `apply`.",
                code(shown),
                code(provider),
                cx.rel(provider_file),
                if resources == 1 { "" } else { "s" },
            ),
            "The only record of the infrastructure lives on one machine: lose it and Terraform loses track of every resource; concurrent applies overwrite each other with no locking; and the secret-laden state file drifts into git or chat.".to_string(),
            format!(
                "Add a remote backend with locking to {} — `terraform {{ backend \"s3\" {{ bucket = …, key = …, region = …, use_lockfile = true }} }}`, GCS, azurerm, or HCP Terraform's `cloud {{ }}` — and run `terraform init -migrate-state`.",
                code(shown)
            ),
            locations,
        ));
    }
    findings
}
