//! terraform-state-committed: Terraform state files (or a `.terraform/`
//! working folder) in the repository.

use std::collections::BTreeSet;

use crate::facts::terraform::unignored_dot_terraform;
use crate::finding::{Category, Finding, Location, Severity, Wording};
use crate::index::{DeployKind, FileKind};
use crate::roles::path::is_non_product_path;
use crate::rules::{code, Check, RepoContext, Rule, RuleMeta};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        name: "terraform-state-committed",
        code: "SW213",
        severity: Severity::Critical,
        category: Category::ContainerizationDeployment,
        title: "Terraform state in the repository",
        wording: Wording::IssueImpactFix,
        fixable: true,
        docs: DOCS,
    },
    check: Check::Repo(check),
};

const DOCS: &str = r#"## What it does
Reports Terraform state in the repository: `*.tfstate` and
`*.tfstate.backup` files (also `terraform.tfstate.d/` workspaces) that
`.gitignore` does not exclude — or that git tracks although it does (they
were committed before being ignored, as `.git/index` shows) — outside test
and example folders. A
`.terraform/` working folder next to Terraform files that `.gitignore` does
not exclude is reported too, as high: it holds the backend configuration
(which may carry credentials) and provider binaries.

## Why is this bad?
State files hold every attribute of every managed resource in plain text:
database passwords, generated keys, access tokens, connection strings. In git
they reach everyone with read access and stay in history. A state file in git
is also the wrong source of truth: two people applying from their checkouts
overwrite each other's state, with no locking, and resources get orphaned or
destroyed.

## Example
### Reported
```hcl file=infra/main.tf
provider "aws" {
  region = "eu-west-1"
}
```

```json file=infra/terraform.tfstate
{ "version": 4, "terraform_version": "1.9.0", "serial": 3, "resources": [] }
```

### Not reported
```hcl file=infra/main.tf
terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "prod/terraform.tfstate"
    region = "eu-west-1"
  }
}
```

```text file=.gitignore
*.tfstate
*.tfstate.*
.terraform/
```

```json file=infra/terraform.tfstate
{ "version": 4, "terraform_version": "1.9.0", "serial": 3, "resources": [] }
```

## Fix
Move the state to a remote backend with locking (S3 with `use_lockfile`, GCS,
azurerm, HCP Terraform) and `terraform init -migrate-state`; then
`git rm --cached` the state files, add `*.tfstate`, `*.tfstate.*` and
`.terraform/` to `.gitignore`, and rotate every secret the state held — git
history keeps the old files.

`seaworthy fix --unsafe` adds the missing `*.tfstate`, `*.tfstate.*` and
`.terraform/` entries to the root `.gitignore` and, for the files git
tracks, names the `git rm --cached` (`-r` for `.terraform/`) to run and
commit; until then the re-check counts the finding as written but not in
effect. The copies on disk stay. It is unsafe because it cannot rewrite
history (the state's secrets stay in every earlier commit: rotate them), and
a teammate who pulls the commit that untracks the state loses their copy
unless the state moved to a remote backend first (the
`terraform-no-remote-backend` fix, then `terraform init -migrate-state`).
"#;

fn check(cx: &RepoContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    // The index holds state git tracks although .gitignore now excludes it
    // (the walk adds such files), but not `.terraform/`, which the walk never
    // enters: `.terraform/terraform.tfstate` caches the backend
    // configuration, and the `.terraform/` finding below covers it.
    let mut states: Vec<String> = cx
        .index
        .of_kind(FileKind::TerraformState)
        .iter()
        .map(|id| cx.rel(*id).to_string())
        .filter(|rel| !is_non_product_path(rel))
        .collect();
    states.sort();
    states.dedup();
    if !states.is_empty() {
        let list: Vec<String> = states.iter().take(5).map(|rel| code(rel)).collect();
        let more = states.len().saturating_sub(5);
        let message = format!(
            "Terraform state is committed to the repository: {}{}.",
            list.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        findings.push(RULE.meta.finding(
            None,
            message,
            "State files hold every managed resource's attributes in plain text — database passwords, keys, tokens — for everyone with repository access, forever in history; and state applied from several checkouts diverges with no locking, orphaning or destroying resources.".to_string(),
            "Move state to a remote backend with locking (S3 with `use_lockfile`, GCS, azurerm, HCP Terraform) via `terraform init -migrate-state`, `git rm --cached` the state files, add `*.tfstate`, `*.tfstate.*` and `.terraform/` to .gitignore, and rotate the secrets the state held.".to_string(),
            states.iter().map(|rel| Location::new(rel.clone(), 1)).collect(),
        ));
    }
    // `.terraform/` next to Terraform files.
    let dirs: BTreeSet<&str> = cx
        .index
        .of_kind(FileKind::Deploy(DeployKind::Terraform))
        .iter()
        .map(|id| cx.index.get(*id))
        .filter(|f| f.name().ends_with(".tf") && !is_non_product_path(&f.rel))
        .map(|f| f.dir())
        .collect();
    let tracked = if dirs.is_empty() {
        Vec::new()
    } else {
        crate::facts::git_index::tracked_paths(&cx.index.root)
    };
    for dir in dirs {
        let work_dir = if dir.is_empty() {
            ".terraform/".to_string()
        } else {
            format!("{dir}/.terraform/")
        };
        let committed = tracked.iter().any(|t| t.starts_with(&work_dir));
        if !committed && !unignored_dot_terraform(&cx.index.root, dir) {
            continue;
        }
        let folder = if dir.is_empty() {
            ".terraform/".to_string()
        } else {
            format!("{dir}/.terraform/")
        };
        let evidence = cx
            .index
            .of_kind(FileKind::Deploy(DeployKind::Terraform))
            .iter()
            .find(|id| cx.index.get(**id).dir() == dir)
            .map(|id| cx.rel(*id).to_string())
            .unwrap_or_else(|| folder.clone());
        let mut finding = RULE.meta.finding(
            None,
            format!(
                "{} exists beside {} and {}: Terraform's working folder (backend configuration, provider binaries, sometimes a cached state) {}.",
                code(&folder),
                code(&evidence),
                if committed { "git tracks it" } else { ".gitignore does not exclude it" },
                if committed { "is committed" } else { "is about to be committed" }
            ),
            "The backend configuration can carry credentials, and provider binaries bloat every clone; a cached state leaks resource secrets.".to_string(),
            format!("Add `.terraform/` (and `*.tfstate`, `*.tfstate.*`) to .gitignore and `git rm -r --cached {folder}` if it was committed."),
            vec![Location::new(evidence, 1)],
        );
        finding.severity = Severity::High;
        findings.push(finding);
    }
    findings
}
