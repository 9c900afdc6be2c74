//! Terraform (`*.tf`) and Terragrunt (`terragrunt.hcl`) files, parsed with
//! hcl-edit, the HCL parser behind the `hcl` crate that keeps byte spans (so
//! evidence has lines).

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;

/// What the rules need from one HCL file.
#[derive(Debug, Default, Clone)]
pub struct TerraformFile {
    /// `provider "aws" { … }` blocks: (name, line).
    pub providers: Vec<(String, u32)>,
    /// `resource "type" "name"` blocks: (type, line).
    pub resources: Vec<(String, u32)>,
    /// `terraform { backend "s3" { … } }`: (type, line).
    pub backends: Vec<(String, u32)>,
    /// `terraform { cloud { … } }` (HCP Terraform / Terraform Enterprise).
    pub cloud: Option<u32>,
    /// `module "x" { source = "…" }`: (source, line).
    pub module_sources: Vec<(String, u32)>,
    /// Terragrunt `remote_state { … }` (block or attribute), or a
    /// `generate "backend"` block.
    pub remote_state: Option<u32>,
    /// Terragrunt `include` blocks: the configuration inherits from a parent.
    pub includes: bool,
}

pub fn parse(text: &str) -> Result<TerraformFile, String> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| {
        let message = e.to_string();
        let first = message.lines().next().unwrap_or("").trim().to_string();
        format!("invalid HCL: {first}")
    })?;
    let line_of = |span: Option<std::ops::Range<usize>>| -> u32 {
        let start = span.map(|r| r.start).unwrap_or(0).min(text.len());
        text.as_bytes()[..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
            + 1
    };
    let mut out = TerraformFile::default();
    for structure in body.iter() {
        match structure {
            Structure::Block(block) => {
                let ident = block.ident.as_str();
                let label = |i: usize| {
                    block
                        .labels
                        .get(i)
                        .map(|l| l.as_str().to_string())
                        .unwrap_or_default()
                };
                let line = line_of(block.span());
                match ident {
                    "provider" => out.providers.push((label(0), line)),
                    "resource" => out.resources.push((label(0), line)),
                    "terraform" => read_terraform_block(&block.body, &line_of, &mut out),
                    "module" => {
                        if let Some(source) = string_attr(&block.body, "source") {
                            out.module_sources.push((source, line));
                        }
                    }
                    "remote_state" => out.remote_state = Some(line),
                    "generate" if label(0) == "backend" => out.remote_state = Some(line),
                    "include" => out.includes = true,
                    _ => {}
                }
            }
            Structure::Attribute(attr) => {
                if attr.key.as_str() == "remote_state" {
                    out.remote_state = Some(line_of(attr.span()));
                }
            }
        }
    }
    Ok(out)
}

fn read_terraform_block(
    body: &Body,
    line_of: &dyn Fn(Option<std::ops::Range<usize>>) -> u32,
    out: &mut TerraformFile,
) {
    for block in body.blocks() {
        match block.ident.as_str() {
            "backend" => {
                let kind = block
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default();
                out.backends.push((kind, line_of(block.span())));
            }
            "cloud" => out.cloud = Some(line_of(block.span())),
            _ => {}
        }
    }
}

fn string_attr(body: &Body, key: &str) -> Option<String> {
    match &body.get_attribute(key)?.value {
        Expression::String(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

/// Whether `dir` (relative to `root`) holds a `.terraform/` folder that
/// .gitignore does not exclude. The walk skips `.terraform/` (provider
/// binaries), so this asks the same ignore rules about that one name.
pub fn unignored_dot_terraform(root: &std::path::Path, dir: &str) -> bool {
    let base = if dir.is_empty() {
        root.to_path_buf()
    } else {
        root.join(dir)
    };
    if !base.join(".terraform").is_dir() {
        return false;
    }
    ignore::WalkBuilder::new(&base)
        .max_depth(Some(1))
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .build()
        .filter_map(Result::ok)
        .any(|e| e.depth() == 1 && e.file_name() == ".terraform")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_lines() {
        let tf = parse(
            "terraform {\n  required_version = \">= 1.5\"\n  backend \"s3\" {\n    bucket = \"x\"\n  }\n}\n\nprovider \"aws\" {\n  region = var.region\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"${var.name}-b\"\n}\n\nmodule \"vpc\" {\n  source = \"../modules/vpc\"\n}\n",
        )
        .expect("parses");
        assert_eq!(tf.backends, [("s3".to_string(), 3)]);
        assert_eq!(tf.providers, [("aws".to_string(), 8)]);
        assert_eq!(tf.resources, [("aws_s3_bucket".to_string(), 12)]);
        assert_eq!(tf.module_sources, [("../modules/vpc".to_string(), 16)]);
        let tg = parse("include \"root\" {\n  path = find_in_parent_folders()\n}\nremote_state {\n  backend = \"s3\"\n}\n")
            .expect("parses");
        assert_eq!(tg.remote_state, Some(4));
        assert!(tg.includes);
        assert!(parse("resource \"x\" {").is_err());
    }
}
