//! A Terraform module for the app on AWS (`infra/aws/`): ECS Fargate behind
//! an ALB whose target group checks the readiness route, RDS PostgreSQL,
//! ElastiCache Redis when the app uses Redis, an S3 bucket for the
//! off-site backups, the secrets in Secrets Manager, CloudWatch logs, and
//! state in S3 with locking. The module's fixed parts are templates
//! (`templates/aws/*.tf`, kept `terraform fmt`-clean); what depends on the
//! app (name, port, health routes, secrets, migrations, writable folders)
//! is `locals.tf`.

use super::migrate_command;
use super::writable::writable_paths;
use crate::fix::profile::{Database, Profile};
use crate::fix::Builder;
use crate::stack::Framework;

/// The module's folder, relative to the app.
pub const DIR: &str = "infra/aws";

const ALWAYS: &[(&str, &str)] = &[
    ("versions.tf", include_str!("../templates/aws/versions.tf")),
    (
        "variables.tf",
        include_str!("../templates/aws/variables.tf"),
    ),
    ("kms.tf", include_str!("../templates/aws/kms.tf")),
    ("secrets.tf", include_str!("../templates/aws/secrets.tf")),
    ("ecr.tf", include_str!("../templates/aws/ecr.tf")),
    ("network.tf", include_str!("../templates/aws/network.tf")),
    ("alb.tf", include_str!("../templates/aws/alb.tf")),
    ("ecs.tf", include_str!("../templates/aws/ecs.tf")),
    ("iam.tf", include_str!("../templates/aws/iam.tf")),
    ("backups.tf", include_str!("../templates/aws/backups.tf")),
    ("outputs.tf", include_str!("../templates/aws/outputs.tf")),
];
const RDS: &str = include_str!("../templates/aws/rds.tf");
const REDIS: &str = include_str!("../templates/aws/redis.tf");
const BACKEND: &str = include_str!("../templates/aws/backend.hcl.example");

pub fn plan(p: &Profile, b: &mut Builder) -> Result<(), String> {
    match p.database {
        Database::Sqlite => {
            return Err("the app keeps its data in SQLite, which cannot live on Fargate's discarded task storage: move it to PostgreSQL (RDS) first (sqlite-in-production does, with --unsafe, where its fix applies)".to_string())
        }
        Database::Mysql => {
            return Err("the AWS module provisions PostgreSQL on RDS; this app uses MySQL".to_string())
        }
        Database::Postgres | Database::None => {}
    }
    let dir = p.join(DIR);
    for (name, text) in ALWAYS {
        b.create(&format!("{dir}/{name}"), text.to_string(), false);
    }
    if p.uses_postgres() {
        b.create(&format!("{dir}/rds.tf"), RDS.to_string(), false);
    }
    if p.redis.is_some() {
        b.create(&format!("{dir}/redis.tf"), REDIS.to_string(), false);
    }
    b.create(
        &format!("{dir}/backend.hcl.example"),
        BACKEND.replace("__APP__", &p.name),
        false,
    );
    let writable = writable_paths(p, b);
    b.create(&format!("{dir}/locals.tf"), locals(p, b, &writable), false);
    b.create(&format!("{dir}/terraform.tfvars.example"), tfvars(p), false);

    let secrets = super::kubernetes::secret_vars(p);
    b.manual(format!(
        "Create the state bucket (versioned, encrypted), copy {dir}/backend.hcl.example to backend.hcl and terraform.tfvars.example to terraform.tfvars with your values{}.",
        if p.redis.is_some() {
            ", and export TF_VAR_redis_auth_token"
        } else {
            ""
        }
    ));
    if !secrets.is_empty() {
        b.manual(format!(
            "After the first apply, put each secret's value into Secrets Manager (the `secret_arns` output): {}{}.",
            secrets.join(", "),
            if p.uses_postgres() {
                "; DATABASE_URL is postgresql://USER:PASSWORD@<database_endpoint>/DB?sslmode=require, with the password RDS keeps in `database_master_secret_arn`"
            } else {
                ""
            }
        ));
    }
    for w in writable.iter().filter(|w| w.persistent) {
        b.manual(format!(
            "The app writes user files to {} ({}): Fargate task storage is discarded with the task and not shared by the {} tasks; store them in S3, or mount an EFS volume there.",
            w.path, w.evidence, 2
        ));
    }
    b.assume("Your VPC has public subnets for the load balancer and private subnets (with a NAT gateway or VPC endpoints) for the tasks, the database and the cache, in two or more availability zones; a certificate for the domain exists in ACM.");
    b.assume("Fargate tasks of 0.5 vCPU / 1 GiB, 2 of them; RDS db.t4g.small Multi-AZ with 14 days of automated backups; logs kept 365 days; backups in S3 kept 35 days: all variables.");
    b.next(format!("cd {dir} && terraform init -backend-config=backend.hcl && terraform apply -target=aws_ecr_repository.app"));
    b.next("docker build -t <ecr_repository_url>:<image_tag> . && docker push <ecr_repository_url>:<image_tag>");
    b.next(format!("cd {dir} && terraform apply"));
    Ok(())
}

/// `locals.tf`: what the module knows about the app.
fn locals(p: &Profile, b: &Builder, writable: &[super::writable::Writable]) -> String {
    let (live, ready) = p
        .health
        .clone()
        .unwrap_or_else(|| ("/".to_string(), "/".to_string()));
    let mut env: Vec<(String, String)> = Vec::new();
    if p.framework == Framework::NextJs {
        env.push(("HOSTNAME".into(), "0.0.0.0".into()));
        env.push(("NODE_ENV".into(), "production".into()));
    }
    env.push(("PORT".into(), p.port.to_string()));
    let width = env.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let environment: String = env
        .iter()
        .map(|(k, v)| format!("    {k:<width$} = {}\n", hcl_string(v)))
        .collect();
    // /tmp first: the migrations container mounts volume w0.
    let mut paths = vec!["/tmp".to_string()];
    if p.framework == Framework::NextJs {
        paths.push(format!("/app/{}/cache", p.dist_dir));
    }
    for w in writable {
        let path = format!("/app/{}", w.path);
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    let list = |items: &[String]| -> String {
        items
            .iter()
            .map(|s| hcl_string(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let secrets = super::kubernetes::secret_vars(p);
    let migrate = migrate_command(p, b).unwrap_or_default();
    format!(
        "# Generated by `seaworthy fix` from what it found in the app.\nlocals {{\n  name = {name}\n\n  container_port = {port}\n\n  # The target group checks readiness (database and cache); liveness\n  # touches no back-end.\n  liveness_path = {live}\n\n  readiness_path = {ready}\n\n  environment = {{\n{environment}  }}\n\n  # One Secrets Manager secret each, read by the task at start.\n  secret_names = [{secrets}]\n\n  # Applies pending migrations before the app starts (empty: none).\n  migrate_command = [{migrate}]\n\n  # Writable under the read-only root filesystem.\n  writable_paths = [{paths}]\n}}\n",
        name = hcl_string(&p.name),
        port = p.port,
        live = hcl_string(&live),
        ready = hcl_string(&ready),
        secrets = list(&secrets),
        migrate = list(&migrate),
        paths = list(&paths),
    )
}

fn tfvars(p: &Profile) -> String {
    let mut out = String::from("# Copy to terraform.tfvars and fill in. Values only you know; none is a secret\n# (secrets go into Secrets Manager, and the Redis token into TF_VAR_redis_auth_token).\naws_region         = \"<region>\"\nvpc_id             = \"vpc-0123456789abcdef0\"\npublic_subnet_ids  = [\"subnet-aaaa\", \"subnet-bbbb\"]\nprivate_subnet_ids = [\"subnet-cccc\", \"subnet-dddd\"]\ncertificate_arn    = \"arn:aws:acm:<region>:<account>:certificate/<id>\"\nalb_ingress_cidrs  = [\"0.0.0.0/0\"]\napp_egress_cidrs   = [\"0.0.0.0/0\"]\nimage_tag          = \"");
    out.push_str(p.package_version.as_deref().unwrap_or("0.1.0"));
    out.push_str("\"\n");
    out
}

/// A quoted HCL string (`${` and `%{` escaped: no interpolation).
fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_do_not_interpolate() {
        assert_eq!(hcl_string("a\"b"), "\"a\\\"b\"");
        assert_eq!(hcl_string("${x}"), "\"$${x}\"");
    }
}
