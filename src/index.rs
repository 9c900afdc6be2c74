//! Step 2 of the pipeline: classify every path by its name alone.
//!
//! Nothing is read here. Like ripgrep's default file types, the exact names
//! form one sorted table; the few patterns that an exact name cannot express
//! (extensions, `Dockerfile.prod`, `web.Dockerfile`, `.env.*.example`) follow
//! it in `classify`.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::facts::code::Lang;
use crate::walk::WalkedFile;

/// What a file is, as far as its name tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    PackageJson,
    PnpmWorkspace,
    Lockfile,
    Dockerfile,
    /// `.dockerignore`, or `<Dockerfile>.dockerignore` beside a Dockerfile
    /// (BuildKit reads that one first).
    DockerIgnore,
    Compose,
    /// A committed example of the environment: `.env.example`, `env.sample`, …
    EnvExample,
    /// A real environment file: `.env`, `.env.production`, …
    EnvFile,
    ShellScript,
    PrismaSchema,
    PrismaConfig,
    /// `prisma/migrations/migration_lock.toml`: the provider the migrations
    /// were written for.
    PrismaMigrationLock,
    /// A web framework's configuration: next.config, nuxt.config,
    /// react-router.config, svelte.config, astro.config, remix.config.
    FrameworkConfig,
    JsSource,
    /// Source code of the other languages seaworthy reads (Python, Ruby, PHP,
    /// Java/Kotlin, Go, Rust).
    Source(Lang),
    /// requirements.txt, requirements-prod.txt, requirements/base.txt, …
    Requirements,
    PyProject,
    Pipfile,
    Gemfile,
    ComposerJson,
    MavenPom,
    Gradle,
    GoMod,
    CargoToml,
    /// A .NET project: `*.csproj`, `*.fsproj` (MSBuild XML).
    DotnetProject,
    /// Elixir's `mix.exs`.
    MixExs,
    /// Rails `config/database.yml`.
    RailsDatabaseYml,
    /// Spring `application*.properties` / `application*.yml`.
    SpringConfig,
    /// README.md and friends (deploy buttons say where an app is hosted).
    Readme,
    /// Litestream/LiteFS configuration: SQLite replicated off the machine.
    SqliteReplication,
    /// ORM/query-builder configuration in JS/TS: knexfile, drizzle.config,
    /// ormconfig, TypeORM data-source.
    OrmConfig,
    /// ORM configuration in JSON: Sequelize's `config/config.json`,
    /// TypeORM's `ormconfig.json`.
    OrmConfigJson,
    /// Builds an image without a Dockerfile: ko (`.ko.yaml`), Cloud Native
    /// Buildpacks (`project.toml`).
    ImageBuildConfig,
    /// Infrastructure as code, or a platform's deployment definition.
    Deploy(DeployKind),
    /// A YAML file in a folder where Kubernetes manifests usually live; its
    /// content decides whether it is one.
    KubernetesCandidate,
    /// A YAML file in a folder where Ansible playbooks usually live
    /// (`ansible/`, `ops/`, `provision/`, `provisioning/`, `infra/`); its
    /// content decides whether it is a playbook.
    AnsibleCandidate,
    /// A CI/CD pipeline definition: GitHub Actions workflows (and local
    /// composite actions), `.gitlab-ci.yml`, CircleCI, Jenkinsfile, Azure
    /// Pipelines, Bitbucket, Buildkite, Drone, Woodpecker, Travis, Cloud
    /// Build, CodeBuild, Semaphore, Tekton, AppVeyor, Cirrus.
    CiConfig,
    /// Terraform state: `*.tfstate`, `*.tfstate.backup`.
    TerraformState,
    /// A task runner or SSH deployment tool's definition: Makefile,
    /// Justfile, Capistrano (`Capfile`, `config/deploy.rb`,
    /// `config/deploy/*.rb`), Laravel Envoy (`Envoy.blade.php`), Deployer
    /// (`deploy.php`), Fabric (`fabfile.py`).
    TaskRunner,
    /// A committed crontab: `crontab`, `*.crontab`, `*.cron`, files in a
    /// `cron.d` or `crontabs` folder.
    Crontab,
}

/// Which infrastructure-as-code tool or platform a deployment definition is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeployKind {
    Ansible,
    AwsAmplify,
    AwsAppRunner,
    AwsCdk,
    AwsCodeDeploy,
    AwsElasticBeanstalk,
    AwsSam,
    Azure,
    CapRover,
    CleverCloud,
    CloudFoundry,
    CloudflareWorkers,
    DigitalOceanAppPlatform,
    FlyIo,
    GoogleAppEngine,
    Helm,
    Heroku,
    Kamal,
    Koyeb,
    Kubernetes,
    Kustomize,
    Liara,
    Netlify,
    Nixpacks,
    PlatformSh,
    Pulumi,
    Railway,
    Rancher,
    Render,
    Scalingo,
    Serverless,
    Skaffold,
    Sst,
    Terraform,
    Vercel,
}

impl DeployKind {
    pub fn label(self) -> &'static str {
        match self {
            DeployKind::Ansible => "Ansible",
            DeployKind::AwsAmplify => "AWS Amplify",
            DeployKind::AwsAppRunner => "AWS App Runner",
            DeployKind::AwsCdk => "AWS CDK",
            DeployKind::AwsCodeDeploy => "AWS CodeDeploy",
            DeployKind::AwsElasticBeanstalk => "AWS Elastic Beanstalk",
            DeployKind::AwsSam => "AWS SAM/CloudFormation",
            DeployKind::Azure => "Azure App Service",
            DeployKind::CapRover => "CapRover",
            DeployKind::CleverCloud => "Clever Cloud",
            DeployKind::CloudFoundry => "Cloud Foundry",
            DeployKind::CloudflareWorkers => "Cloudflare Workers",
            DeployKind::DigitalOceanAppPlatform => "DigitalOcean App Platform",
            DeployKind::FlyIo => "Fly.io",
            DeployKind::GoogleAppEngine => "Google App Engine",
            DeployKind::Helm => "Helm",
            DeployKind::Heroku => "Heroku",
            DeployKind::Kamal => "Kamal",
            DeployKind::Koyeb => "Koyeb",
            DeployKind::Liara => "Liara",
            DeployKind::Kubernetes => "Kubernetes",
            DeployKind::Kustomize => "Kustomize",
            DeployKind::Netlify => "Netlify",
            DeployKind::Nixpacks => "Nixpacks",
            DeployKind::PlatformSh => "Platform.sh",
            DeployKind::Pulumi => "Pulumi",
            DeployKind::Railway => "Railway",
            DeployKind::Rancher => "Rancher",
            DeployKind::Render => "Render",
            DeployKind::Scalingo => "Scalingo",
            DeployKind::Serverless => "Serverless Framework",
            DeployKind::Skaffold => "Skaffold",
            DeployKind::Sst => "SST",
            DeployKind::Terraform => "Terraform",
            DeployKind::Vercel => "Vercel",
        }
    }

    /// Platforms with no long-running instance to probe: functions and edge
    /// workers scale per request.
    pub fn is_serverless(self) -> bool {
        matches!(
            self,
            DeployKind::AwsAmplify
                | DeployKind::CloudflareWorkers
                | DeployKind::Netlify
                | DeployKind::Serverless
                | DeployKind::Sst
                | DeployKind::Vercel
        )
    }

    /// Platforms that build the app's image or bundle themselves (from
    /// source, buildpacks, or a Dockerfile they reference), so a missing
    /// Dockerfile beside the app is not a gap there.
    pub fn builds_from_source(self) -> bool {
        matches!(
            self,
            DeployKind::AwsAmplify
                | DeployKind::FlyIo
                | DeployKind::Kamal
                | DeployKind::AwsAppRunner
                | DeployKind::AwsElasticBeanstalk
                | DeployKind::Azure
                | DeployKind::CleverCloud
                | DeployKind::CloudFoundry
                | DeployKind::CloudflareWorkers
                | DeployKind::DigitalOceanAppPlatform
                | DeployKind::GoogleAppEngine
                | DeployKind::Heroku
                | DeployKind::Koyeb
                | DeployKind::Liara
                | DeployKind::Netlify
                | DeployKind::Nixpacks
                | DeployKind::PlatformSh
                | DeployKind::Railway
                | DeployKind::Render
                | DeployKind::Scalingo
                | DeployKind::Serverless
                | DeployKind::Sst
                | DeployKind::Vercel
        )
    }
}

/// Exact file names, sorted for binary search.
const EXACT_NAMES: &[(&str, FileKind)] = &[
    (".cirrus.yml", FileKind::CiConfig),
    // Written by `clever link`: the Clever Cloud application this folder
    // deploys to (clever-tools documentation).
    (".clever.json", FileKind::Deploy(DeployKind::CleverCloud)),
    (".dockerignore", FileKind::DockerIgnore),
    (".drone.yml", FileKind::CiConfig),
    (".gitlab-ci.yml", FileKind::CiConfig),
    (".justfile", FileKind::TaskRunner),
    (".ko.yaml", FileKind::ImageBuildConfig),
    (
        ".platform.app.yaml",
        FileKind::Deploy(DeployKind::PlatformSh),
    ),
    (
        ".rancher-pipeline.yaml",
        FileKind::Deploy(DeployKind::Rancher),
    ),
    (
        ".rancher-pipeline.yml",
        FileKind::Deploy(DeployKind::Rancher),
    ),
    (".travis.yml", FileKind::CiConfig),
    (".woodpecker.yaml", FileKind::CiConfig),
    (".woodpecker.yml", FileKind::CiConfig),
    ("Capfile", FileKind::TaskRunner),
    ("Cargo.toml", FileKind::CargoToml),
    ("Chart.yaml", FileKind::Deploy(DeployKind::Helm)),
    ("Containerfile", FileKind::Dockerfile),
    ("Dockerfile", FileKind::Dockerfile),
    (
        "Dockerrun.aws.json",
        FileKind::Deploy(DeployKind::AwsElasticBeanstalk),
    ),
    ("Envoy.blade.php", FileKind::TaskRunner),
    ("GNUmakefile", FileKind::TaskRunner),
    ("Gemfile", FileKind::Gemfile),
    ("Jenkinsfile", FileKind::CiConfig),
    ("Justfile", FileKind::TaskRunner),
    ("Makefile", FileKind::TaskRunner),
    ("Pipfile", FileKind::Pipfile),
    ("Procfile", FileKind::Deploy(DeployKind::Heroku)),
    ("Pulumi.yaml", FileKind::Deploy(DeployKind::Pulumi)),
    ("Pulumi.yml", FileKind::Deploy(DeployKind::Pulumi)),
    ("amplify.yml", FileKind::Deploy(DeployKind::AwsAmplify)),
    ("ansible.cfg", FileKind::Deploy(DeployKind::Ansible)),
    ("app.yaml", FileKind::Deploy(DeployKind::GoogleAppEngine)),
    ("apprunner.yaml", FileKind::Deploy(DeployKind::AwsAppRunner)),
    ("appspec.yml", FileKind::Deploy(DeployKind::AwsCodeDeploy)),
    ("appveyor.yml", FileKind::CiConfig),
    ("azure-pipelines.yaml", FileKind::CiConfig),
    ("azure-pipelines.yml", FileKind::CiConfig),
    // The Azure Developer CLI's project file (`services:` with `host:
    // appservice`, `containerapp`, `function`): azd packages and deploys
    // the source.
    ("azure.yaml", FileKind::Deploy(DeployKind::Azure)),
    ("bitbucket-pipelines.yml", FileKind::CiConfig),
    ("build.gradle", FileKind::Gradle),
    ("build.gradle.kts", FileKind::Gradle),
    ("buildspec.yaml", FileKind::CiConfig),
    ("buildspec.yml", FileKind::CiConfig),
    ("bun.lock", FileKind::Lockfile),
    ("bun.lockb", FileKind::Lockfile),
    ("captain-definition", FileKind::Deploy(DeployKind::CapRover)),
    ("cdk.json", FileKind::Deploy(DeployKind::AwsCdk)),
    ("cloudbuild.yaml", FileKind::CiConfig),
    ("cloudbuild.yml", FileKind::CiConfig),
    ("codemagic.yaml", FileKind::CiConfig),
    ("compose.yaml", FileKind::Compose),
    ("compose.yml", FileKind::Compose),
    ("composer.json", FileKind::ComposerJson),
    ("crontab", FileKind::Crontab),
    ("deploy.php", FileKind::TaskRunner),
    ("docker-compose.yaml", FileKind::Compose),
    ("docker-compose.yml", FileKind::Compose),
    ("dockerfile", FileKind::Dockerfile),
    ("ecosystem.config.cjs", FileKind::TaskRunner),
    ("ecosystem.config.js", FileKind::TaskRunner),
    ("ecosystem.config.mjs", FileKind::TaskRunner),
    ("ecosystem.json", FileKind::TaskRunner),
    ("env.example", FileKind::EnvExample),
    ("env.sample", FileKind::EnvExample),
    ("env.template", FileKind::EnvExample),
    ("envoy.blade.php", FileKind::TaskRunner),
    ("example.env", FileKind::EnvExample),
    ("fabfile.py", FileKind::TaskRunner),
    ("fly.toml", FileKind::Deploy(DeployKind::FlyIo)),
    ("go.mod", FileKind::GoMod),
    ("justfile", FileKind::TaskRunner),
    (
        "kustomization.yaml",
        FileKind::Deploy(DeployKind::Kustomize),
    ),
    ("kustomization.yml", FileKind::Deploy(DeployKind::Kustomize)),
    // Liara's app definition (`platform`, `app`, `port`, `disks`), read by
    // `liara deploy`.
    ("liara.json", FileKind::Deploy(DeployKind::Liara)),
    ("litefs.yaml", FileKind::SqliteReplication),
    ("litefs.yml", FileKind::SqliteReplication),
    ("litestream.yaml", FileKind::SqliteReplication),
    ("litestream.yml", FileKind::SqliteReplication),
    ("makefile", FileKind::TaskRunner),
    ("migration_lock.toml", FileKind::PrismaMigrationLock),
    ("mix.exs", FileKind::MixExs),
    ("netlify.toml", FileKind::Deploy(DeployKind::Netlify)),
    ("nixpacks.toml", FileKind::Deploy(DeployKind::Nixpacks)),
    ("now.json", FileKind::Deploy(DeployKind::Vercel)),
    ("package-lock.json", FileKind::Lockfile),
    ("package.json", FileKind::PackageJson),
    ("pnpm-lock.yaml", FileKind::Lockfile),
    ("pnpm-workspace.yaml", FileKind::PnpmWorkspace),
    ("pom.xml", FileKind::MavenPom),
    ("project.toml", FileKind::ImageBuildConfig),
    ("pyproject.toml", FileKind::PyProject),
    ("railway.json", FileKind::Deploy(DeployKind::Railway)),
    ("railway.toml", FileKind::Deploy(DeployKind::Railway)),
    (
        "rancher-compose.yaml",
        FileKind::Deploy(DeployKind::Rancher),
    ),
    ("rancher-compose.yml", FileKind::Deploy(DeployKind::Rancher)),
    ("render.yaml", FileKind::Deploy(DeployKind::Render)),
    ("render.yml", FileKind::Deploy(DeployKind::Render)),
    ("samconfig.toml", FileKind::Deploy(DeployKind::AwsSam)),
    ("sample.env", FileKind::EnvExample),
    // Scalingo's app manifest (review apps, one-click deploys).
    ("scalingo.json", FileKind::Deploy(DeployKind::Scalingo)),
    ("serverless.yaml", FileKind::Deploy(DeployKind::Serverless)),
    ("serverless.yml", FileKind::Deploy(DeployKind::Serverless)),
    ("skaffold.yaml", FileKind::Deploy(DeployKind::Skaffold)),
    ("terragrunt.hcl", FileKind::Deploy(DeployKind::Terraform)),
    ("vercel.json", FileKind::Deploy(DeployKind::Vercel)),
    (
        "wrangler.json",
        FileKind::Deploy(DeployKind::CloudflareWorkers),
    ),
    (
        "wrangler.jsonc",
        FileKind::Deploy(DeployKind::CloudflareWorkers),
    ),
    (
        "wrangler.toml",
        FileKind::Deploy(DeployKind::CloudflareWorkers),
    ),
    ("yarn.lock", FileKind::Lockfile),
];

/// Folder names under which YAML files are usually Kubernetes manifests.
const KUBERNETES_DIRS: &[&str] = &[
    "deploy",
    "deployment",
    "deployments",
    "k8s",
    "kube",
    "kubernetes",
    "kustomize",
    "manifests",
    "openshift",
];

const JS_EXTENSIONS: &[&str] = &["cjs", "cts", "js", "jsx", "mjs", "mts", "ts", "tsx"];

/// Classify a path (relative, forward slashes) by its name and folders.
pub fn classify(rel: &str) -> Option<FileKind> {
    // memchr's SIMD search: this runs once per file of the tree.
    let (dir, name) = match memchr::memrchr(b'/', rel.as_bytes()) {
        Some(slash) => (&rel[..slash], &rel[slash + 1..]),
        None => ("", rel),
    };
    if let Ok(i) = EXACT_NAMES.binary_search_by(|(n, _)| n.cmp(&name)) {
        return Some(EXACT_NAMES[i].1);
    }
    let lower = name.to_ascii_lowercase();
    let ext = memchr::memrchr(b'.', lower.as_bytes())
        .map(|dot| &lower[dot + 1..])
        .unwrap_or("");

    if ext == "dockerignore" {
        return Some(FileKind::DockerIgnore);
    }
    // `Dockerfile.prod`, `web.Dockerfile`; not `Dockerfile.dockerignore`
    // or a template (`Dockerfile.j2`, `Dockerfile.tt`) that renders one.
    let template = matches!(
        ext,
        "dockerignore"
            | "j2"
            | "jinja"
            | "jinja2"
            | "tt"
            | "tmpl"
            | "tpl"
            | "template"
            | "erb"
            | "md"
            | "txt"
    ) || (ext != lower
        // `dockerfile.js` (an editor's syntax module), `dockerfile.svg`:
        // another file type named after Dockerfiles.
        && matches!(
            ext,
            "js" | "mjs"
                | "cjs"
                | "ts"
                | "tsx"
                | "jsx"
                | "json"
                | "svg"
                | "png"
                | "html"
                | "css"
                | "mdx"
                | "rst"
                | "yml"
                | "yaml"
                | "py"
                | "go"
                | "rs"
                | "snap"
        ));
    // `Dockerfile-arm`, `Dockerfile_alpine` (goreleaser's and many CI
    // files' naming): a Dockerfile as much as `Dockerfile.arm`.
    if !template
        && (lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
            || (lower.len() > "dockerfile-".len()
                && (lower.starts_with("dockerfile-") || lower.starts_with("dockerfile_")))
            || (lower.len() > "containerfile-".len()
                && (lower.starts_with("containerfile-") || lower.starts_with("containerfile_")))
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile"))
    {
        return Some(FileKind::Dockerfile);
    }
    if (lower.starts_with("docker-compose.") || lower.starts_with("compose."))
        && (ext == "yml" || ext == "yaml")
    {
        return Some(FileKind::Compose);
    }
    // `.env.sh`, `.env.ts`: a script or module named after the
    // environment (lago's `front/.env.sh` writes the front-end's settings
    // at start), not a file of `KEY=value` lines.
    let code_named_env = matches!(
        ext,
        "sh" | "bash" | "js" | "mjs" | "cjs" | "ts" | "mts" | "py" | "rb" | "php"
    );
    if !code_named_env && (lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env"))
    {
        return Some(if is_env_example_name(&lower) {
            FileKind::EnvExample
        } else {
            FileKind::EnvFile
        });
    }
    if ext == "sh" || ext == "bash" {
        return Some(FileKind::ShellScript);
    }
    // `bin/deploy`, `hatchbox/root-deploy`: scripts without an extension in
    // the folders where projects keep executables. Only a candidate: the
    // facts read its `#!` line before treating it as shell.
    if is_extensionless_script(name) && in_script_folder(dir) {
        return Some(FileKind::ShellScript);
    }
    if ext == "prisma" {
        return Some(FileKind::PrismaSchema);
    }
    if ext == "csproj" || ext == "fsproj" {
        return Some(FileKind::DotnetProject);
    }
    // Packer templates build machine images: infrastructure as code.
    if lower.ends_with(".pkr.hcl") || lower.ends_with(".pkr.json") || lower == "packer.json" {
        return Some(FileKind::Deploy(DeployKind::Terraform));
    }
    if lower.ends_with(".tfstate") || lower.ends_with(".tfstate.backup") {
        return Some(FileKind::TerraformState);
    }
    if is_ci_config(dir, &lower, ext) {
        return Some(FileKind::CiConfig);
    }
    if ext == "tf" || lower.ends_with(".tf.json") {
        return Some(FileKind::Deploy(DeployKind::Terraform));
    }
    if lower.starts_with("wrangler.") && matches!(ext, "json" | "jsonc" | "toml") {
        return Some(FileKind::Deploy(DeployKind::CloudflareWorkers));
    }
    if lower.starts_with("readme") && matches!(ext, "md" | "markdown" | "mdx" | "readme") {
        return Some(FileKind::Readme);
    }
    // `requirements.txt`, `requirements/base.txt`, and per-language
    // groups such as `requirements/python/base.txt`; older projects name
    // the same pip format `requirements.pip`.
    if (ext == "txt"
        && (lower.starts_with("requirements") || dir.split('/').any(|p| p == "requirements")))
        || (ext == "pip" && lower.starts_with("requirements"))
    {
        return Some(FileKind::Requirements);
    }
    if lower.starts_with("application") && matches!(ext, "properties" | "yml" | "yaml") {
        return Some(FileKind::SpringConfig);
    }
    // Capistrano: `config/deploy.rb` and its stages, `config/deploy/*.rb`.
    if ext == "rb"
        && ((lower == "deploy.rb" && (dir == "config" || dir.ends_with("/config")))
            || dir == "config/deploy"
            || dir.ends_with("/config/deploy"))
    {
        return Some(FileKind::TaskRunner);
    }
    if ext == "crontab"
        || ext == "cron"
        || lower == "cronfile"
        || lower == "crontab.txt"
        || matches!(dir.rsplit('/').next(), Some("cron.d" | "crontabs"))
    {
        return Some(FileKind::Crontab);
    }
    // Rails `config/database.yml`, and the template a repository commits
    // when the real one is kept out of version control
    // (`database.yml.sample`, `database.example.yml`).
    let rails_template = (lower.starts_with("database.yml.")
        || (lower.starts_with("database.") && (ext == "yml" || ext == "yaml")))
        && is_env_example_name(&lower);
    if (lower == "database.yml" || rails_template) && (dir == "config" || dir.ends_with("/config"))
    {
        return Some(FileKind::RailsDatabaseYml);
    }
    if lower == "ormconfig.json"
        || (lower == "config.json" && (dir == "config" || dir.ends_with("/config")))
    {
        return Some(FileKind::OrmConfigJson);
    }
    if let Some(lang) = Lang::of_extension(ext).filter(|l| *l != Lang::Js) {
        return Some(FileKind::Source(lang));
    }
    if JS_EXTENSIONS.contains(&ext) && !lower.ends_with(".d.ts") {
        if [
            "next.config.",
            "nuxt.config.",
            "react-router.config.",
            "svelte.config.",
            "astro.config.",
            "remix.config.",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        {
            return Some(FileKind::FrameworkConfig);
        }
        if lower.starts_with("prisma.config.") {
            return Some(FileKind::PrismaConfig);
        }
        if lower.starts_with("sst.config.") {
            return Some(FileKind::Deploy(DeployKind::Sst));
        }
        if [
            "knexfile.",
            "drizzle.config.",
            "ormconfig.",
            "data-source.",
            "typeorm.config.",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        {
            return Some(FileKind::OrmConfig);
        }
        return Some(FileKind::JsSource);
    }
    // Clever Cloud reads its build and run settings from
    // `clevercloud/<runtime>.json` (`clevercloud/php.json`, `jar.json`).
    if ext == "json" && (dir == "clevercloud" || dir.ends_with("/clevercloud")) {
        return Some(FileKind::Deploy(DeployKind::CleverCloud));
    }
    // Elastic Beanstalk's configuration files are `.ebextensions/*.config`.
    if ext == "config" && dir.split('/').any(|p| p == ".ebextensions") {
        return Some(FileKind::Deploy(DeployKind::AwsElasticBeanstalk));
    }
    if ext == "yml" || ext == "yaml" {
        let parts: Vec<&str> = dir.split('/').collect();
        // Kamal: config/deploy.yml, config/deploy.staging.yml.
        if (dir == "config" || dir.ends_with("/config")) && lower.starts_with("deploy.") {
            return Some(FileKind::Deploy(DeployKind::Kamal));
        }
        if dir == ".do" || dir.ends_with("/.do") {
            return Some(FileKind::Deploy(DeployKind::DigitalOceanAppPlatform));
        }
        if parts
            .iter()
            .any(|p| *p == ".ebextensions" || *p == ".elasticbeanstalk")
        {
            return Some(FileKind::Deploy(DeployKind::AwsElasticBeanstalk));
        }
        // Rancher: stack files and app definitions kept in a `rancher/`
        // folder (`rancher/docker-compose.yml`, `rancher/rancher-compose.yml`).
        if parts.iter().any(|p| *p == "rancher" || *p == ".rancher") {
            return Some(FileKind::Deploy(DeployKind::Rancher));
        }
        if lower.starts_with("playbook")
            || parts.contains(&"playbooks")
            || (parts.len() >= 3
                && parts[parts.len() - 1] == "tasks"
                && parts[parts.len() - 3] == "roles")
        {
            return Some(FileKind::Deploy(DeployKind::Ansible));
        }
        // Helm chart templates: `charts/x/templates`, `helm/templates`,
        // `helm-chart/templates`, `chart/templates`.
        if parts.contains(&"templates")
            && parts.iter().any(|p| {
                matches!(*p, "charts" | "chart") || p.split(['-', '_']).any(|w| w == "helm")
            })
        {
            return Some(FileKind::Deploy(DeployKind::Helm));
        }
        if parts.iter().any(|p| {
            KUBERNETES_DIRS.contains(p)
                || p.split(['-', '_'])
                    .any(|w| matches!(w, "k8s" | "kubernetes" | "kustomize" | "manifests"))
        }) {
            return Some(FileKind::KubernetesCandidate);
        }
        if parts.iter().any(|p| ANSIBLE_DIRS.contains(p)) {
            return Some(FileKind::AnsibleCandidate);
        }
    }
    None
}

/// Folder names under which YAML files are often Ansible playbooks named
/// for what they do (`ops/provision.yml`, `ansible/site.yml`).
const ANSIBLE_DIRS: &[&str] = &[
    "ansible",
    "infra",
    "infrastructure",
    "ops",
    "provision",
    "provisioning",
];

/// Folders whose extension-less files are usually executables: scripts
/// some of them, compiled programs or other languages' binstubs the rest.
const SCRIPT_FOLDERS: &[&str] = &[
    ".deploy",
    "bin",
    "deploy",
    "deployment",
    "hatchbox",
    "ops",
    "provision",
    "provisioning",
    "sbin",
    "script",
    "scripts",
];

/// A name with no extension (`root-deploy`, `setup`), not a dotfile.
pub fn is_extensionless_script(name: &str) -> bool {
    !name.is_empty() && !name.contains('.')
}

fn in_script_folder(dir: &str) -> bool {
    dir.rsplit('/')
        .next()
        .is_some_and(|last| SCRIPT_FOLDERS.contains(&last))
}

/// CI definitions that live in a folder of their own.
fn is_ci_config(dir: &str, lower: &str, ext: &str) -> bool {
    let yaml = ext == "yml" || ext == "yaml";
    // Every file of the tree passes here: decide the common case without
    // splitting the folder.
    if !yaml {
        return lower.starts_with("jenkinsfile");
    }
    let parts: Vec<&str> = dir.split('/').collect();
    let last = parts.last().copied().unwrap_or("");
    let parent = parts.len().checked_sub(2).map(|i| parts[i]).unwrap_or("");
    let in_dir = |name: &str| parts.contains(&name);
    // GitHub Actions and the runners that read the same format (Gitea,
    // Forgejo, Depot CI), with their local composite actions.
    let actions_dir = [".github", ".gitea", ".forgejo", ".depot"];
    (yaml && last == "workflows" && actions_dir.contains(&parent))
        || (yaml
            && actions_dir.iter().any(|d| in_dir(d))
            && in_dir("actions")
            && lower.starts_with("action."))
        || (yaml && last == ".circleci")
        || (yaml
            && (in_dir(".buildkite")
                || in_dir(".woodpecker")
                || in_dir(".semaphore")
                || in_dir(".tekton")))
        || (yaml && last == "ci" && parent == ".gitlab")
        || lower.starts_with("jenkinsfile")
}

fn is_env_example_name(lower: &str) -> bool {
    [
        "example", "sample", "template", "dist", "defaults", "tmpl", "tpl",
    ]
    .iter()
    .any(|w| lower.split(['.', '-', '_']).any(|part| part == *w))
}

pub type FileId = usize;

#[derive(Debug)]
pub struct IndexedFile {
    pub rel: String,
    /// Set only for paths whose `rel` is lossy; see `Index::path`.
    pub abs: Option<PathBuf>,
    pub kind: Option<FileKind>,
    /// `roles::path::is_non_product_path(rel)`, decided once for files with a
    /// kind (rules ask it of every source file, for every app); `false`
    /// for the others.
    pub non_product: bool,
    /// `roles::path::is_test_file(rel)`, likewise.
    pub test: bool,
    /// Tracked by git although .gitignore excludes it (`walk::WalkedFile`).
    pub ignored: bool,
}

impl IndexedFile {
    // Both run for every file in several rules: memchr's SIMD search.
    pub fn name(&self) -> &str {
        match memchr::memrchr(b'/', self.rel.as_bytes()) {
            Some(slash) => &self.rel[slash + 1..],
            None => &self.rel,
        }
    }

    /// The folder of the file, relative to the root ("" for the root).
    pub fn dir(&self) -> &str {
        match memchr::memrchr(b'/', self.rel.as_bytes()) {
            Some(slash) => &self.rel[..slash],
            None => "",
        }
    }
}

/// All files, sorted by relative path, with their kinds.
#[derive(Debug, Default)]
pub struct Index {
    /// The audited root, which `rel` paths are relative to.
    pub root: PathBuf,
    pub files: Vec<IndexedFile>,
    by_kind: HashMap<FileKind, Vec<FileId>>,
}

impl Index {
    pub fn build(root: &std::path::Path, walked: Vec<WalkedFile>) -> Index {
        use rayon::prelude::*;
        // Classifying is by name only; on a large tree it is worth both cores.
        let roles: Vec<(Option<FileKind>, bool, bool)> = walked
            .par_chunks(2048)
            .flat_map_iter(|chunk| {
                // Files are sorted, so a folder's files are consecutive: its
                // role is decided once per folder.
                let mut folder: (&str, bool) = ("\0", false);
                chunk.iter().map(move |f| {
                    let kind = classify(&f.rel);
                    // Only files some rule reads need their role.
                    let Some(kind) = kind else {
                        return (None, false, false);
                    };
                    let dir = f.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                    if folder.0 != dir {
                        folder = (dir, crate::roles::path::is_non_product_path(&f.rel));
                    }
                    (
                        Some(kind),
                        folder.1,
                        crate::roles::path::is_test_file(&f.rel),
                    )
                })
            })
            .collect();
        let mut by_kind: HashMap<FileKind, Vec<FileId>> = HashMap::new();
        let files: Vec<IndexedFile> = walked
            .into_iter()
            .zip(roles)
            .enumerate()
            .map(|(id, (f, (kind, non_product, test)))| {
                if let Some(kind) = kind {
                    by_kind.entry(kind).or_default().push(id);
                }
                IndexedFile {
                    rel: f.rel,
                    abs: f.abs,
                    kind,
                    non_product,
                    test,
                    ignored: f.ignored,
                }
            })
            .collect();
        Index {
            root: root.to_path_buf(),
            files,
            by_kind,
        }
    }

    /// The files of a kind, in path order.
    pub fn of_kind(&self, kind: FileKind) -> &[FileId] {
        self.by_kind.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every deployment definition, whatever its tool.
    pub fn deploy_files(&self) -> impl Iterator<Item = (FileId, DeployKind)> + '_ {
        self.by_kind.iter().flat_map(|(kind, ids)| match kind {
            FileKind::Deploy(d) => ids.iter().map(|id| (*id, *d)).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    }

    /// The path to read a file at.
    pub fn path(&self, id: FileId) -> std::borrow::Cow<'_, std::path::Path> {
        let file = &self.files[id];
        match &file.abs {
            Some(abs) => std::borrow::Cow::Borrowed(abs.as_path()),
            None => std::borrow::Cow::Owned(self.root.join(&file.rel)),
        }
    }

    pub fn get(&self, id: FileId) -> &IndexedFile {
        &self.files[id]
    }

    /// Looks a file up by its relative path.
    pub fn find(&self, rel: &str) -> Option<FileId> {
        self.files
            .binary_search_by(|f| f.rel.as_str().cmp(rel))
            .ok()
    }

    /// The files at or below the folder `dir` ("" or "." for all).
    pub fn under(&self, dir: &str) -> &[IndexedFile] {
        if dir.is_empty() || dir == "." {
            return &self.files;
        }
        let prefix = format!("{dir}/");
        let start = self
            .files
            .partition_point(|f| f.rel.as_str() < prefix.as_str());
        let len = self.files[start..].partition_point(|f| f.rel.starts_with(&prefix));
        &self.files[start..start + len]
    }

    /// The files of a kind at or below `dir`: one run of the kind's list
    /// (ids grow with the path order), found without looking at the
    /// folder's other files.
    pub fn of_kind_under(&self, kind: FileKind, dir: &str) -> &[FileId] {
        let range = self.ids_under(dir);
        let ids = self.of_kind(kind);
        let start = ids.partition_point(|id| *id < range.start);
        let end = ids.partition_point(|id| *id < range.end);
        &ids[start..end]
    }

    /// The ids of the files at or below `dir`.
    pub fn ids_under(&self, dir: &str) -> std::ops::Range<FileId> {
        let slice = self.under(dir);
        if slice.is_empty() {
            return 0..0;
        }
        let start = (slice.as_ptr() as usize - self.files.as_ptr() as usize)
            / std::mem::size_of::<IndexedFile>();
        start..start + slice.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_are_sorted_for_binary_search() {
        let names: Vec<&str> = EXACT_NAMES.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn classifies_common_names() {
        assert_eq!(classify("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(
            classify("docker/web.Dockerfile"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(classify("Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(classify("Dockerfile-arm"), Some(FileKind::Dockerfile));
        assert_eq!(
            classify("docker/Dockerfile_alpine"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(classify("Dockerfile-lint.json"), None);
        assert_eq!(classify("dockerfile-"), None);
        assert_eq!(classify("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(
            classify("Dockerfile.dockerignore"),
            Some(FileKind::DockerIgnore)
        );
        assert_eq!(classify(".dockerignore"), Some(FileKind::DockerIgnore));
        assert_eq!(classify("docker/Dockerfile.j2"), None);
        assert_ne!(
            classify("public/js/basic-languages/dockerfile/dockerfile.js"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(classify("public/svgs/dockerfile.svg"), None);
        assert_eq!(classify("docker-compose.prod.yml"), Some(FileKind::Compose));
        assert_eq!(classify(".env.example"), Some(FileKind::EnvExample));
        assert_eq!(
            classify("apps/web/.env.local.example"),
            Some(FileKind::EnvExample)
        );
        assert_eq!(classify(".env.production"), Some(FileKind::EnvFile));
        assert_eq!(classify("front/.env.sh"), Some(FileKind::ShellScript));
        assert_eq!(classify("env.example"), Some(FileKind::EnvExample));
        assert_eq!(classify(".env.dist"), Some(FileKind::EnvExample));
        assert_eq!(classify("scripts/deploy.sh"), Some(FileKind::ShellScript));
        assert_eq!(
            classify("hatchbox/root-deploy"),
            Some(FileKind::ShellScript)
        );
        assert_eq!(classify("bin/setup"), Some(FileKind::ShellScript));
        assert_eq!(classify("src/setup"), None);
        assert_eq!(classify("bin/.keep"), None);
        assert_eq!(
            classify("prisma/schema.prisma"),
            Some(FileKind::PrismaSchema)
        );
        assert_eq!(classify("next.config.mjs"), Some(FileKind::FrameworkConfig));
        assert_eq!(classify("src/types.d.ts"), None);
        assert_eq!(
            classify("config/deploy.yml"),
            Some(FileKind::Deploy(DeployKind::Kamal))
        );
        assert_eq!(
            classify("k8s/deployment.yaml"),
            Some(FileKind::KubernetesCandidate)
        );
        assert_eq!(
            classify("kubernetes-manifests/frontend.yaml"),
            Some(FileKind::KubernetesCandidate)
        );
        assert_eq!(
            classify("kustomize/overlays/prod/patch.yaml"),
            Some(FileKind::KubernetesCandidate)
        );
        assert_eq!(
            classify("deploy/kubernetes/helm-chart/templates/web.yaml"),
            Some(FileKind::Deploy(DeployKind::Helm))
        );
        assert_eq!(
            classify("infra/main.tf"),
            Some(FileKind::Deploy(DeployKind::Terraform))
        );
        assert_eq!(classify("README.md"), Some(FileKind::Readme));
        assert_eq!(classify("LICENSE"), None);
        assert_eq!(
            classify(".github/workflows/ci.yml"),
            Some(FileKind::CiConfig)
        );
        assert_eq!(classify(".circleci/config.yml"), Some(FileKind::CiConfig));
        assert_eq!(classify("Jenkinsfile"), Some(FileKind::CiConfig));
        assert_eq!(classify(".gitlab-ci.yml"), Some(FileKind::CiConfig));
        assert_eq!(
            classify("infra/terraform.tfstate"),
            Some(FileKind::TerraformState)
        );
        assert_eq!(
            classify("terraform.tfstate.backup"),
            Some(FileKind::TerraformState)
        );
    }

    #[test]
    fn under_selects_a_subtree_only() {
        let walked = ["a/x", "ab/y", "a/b/z", "b"]
            .iter()
            .map(|r| WalkedFile {
                rel: r.to_string(),
                abs: None,
                ignored: false,
            })
            .collect::<Vec<_>>();
        let mut walked = walked;
        walked.sort_by(|a, b| a.rel.cmp(&b.rel));
        let index = Index::build(std::path::Path::new(""), walked);
        let rels: Vec<&str> = index.under("a").iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a/b/z", "a/x"]);
        assert_eq!(index.ids_under("a"), 0..2);
    }
}
