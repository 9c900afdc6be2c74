//! Step 4 of the pipeline: typed facts about files, parsed lazily and at most
//! once.
//!
//! Rules ask for what they need (`facts.package_json(id)`); the first asker
//! reads and parses the file, later askers share the result. A file that
//! cannot be read or parsed yields `None` and one entry in the audit's errors,
//! whichever rule asked first.

pub mod backup_code;
pub mod ci;
pub mod code;
pub mod compose;
pub mod config_code;
pub mod crontab;
pub mod database;
pub mod dockerfile;
pub mod dockerignore;
pub mod embedded_shell;
pub mod env_file;
pub mod git_index;
pub mod images;
pub mod kubernetes;
pub mod lockfile;
pub mod manifest;
pub mod needles;
pub mod package_json;
pub mod platform_health;
pub mod prisma;
pub mod procfile;
pub mod rails;
pub mod shell;
pub mod source;
pub mod spring;
pub mod task_runner;
pub mod terraform;
pub mod text;
pub mod yaml;
pub mod yaml_tree;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::finding::AuditError;
use crate::index::{FileId, FileKind, Index};

pub use compose::ComposeFile;
pub use env_file::EnvFile;
pub use package_json::PackageJson;
pub use prisma::PrismaSchema;
pub use shell::ShellScript;

/// What rules need from a source file of another language.
#[derive(Debug, Default)]
pub struct CodeFile {
    /// Route paths registered in code, with lines.
    pub route_paths: Vec<(String, u32)>,
    /// Every string literal that looks like a URL path.
    pub path_literals: Vec<(String, u32)>,
    /// Database engines and URLs named in code (`"django.db.backends.sqlite3"`,
    /// `"sqlite:///app.db"`, Go driver imports), with lines.
    pub databases: Vec<database::DatabaseLiteral>,
    /// Which of `code::NOTABLE_IDENTIFIERS` the code uses (`DATABASES`,
    /// `ListenAndServe`, …).
    pub mentions: Vec<&'static str>,
    /// Environment variables the file reads, with their defaults.
    pub env_reads: Vec<config_code::EnvRead>,
    /// Debug switches the file sets (Python, Ruby).
    pub debug_settings: Vec<config_code::DebugSetting>,
    /// Backups the code makes or configures.
    pub backup: backup_code::BackupCode,
    /// What the file brings in: the modules it imports (`code::imports`),
    /// or for a `setup.py` the requirements it declares, with lines.
    pub imports: Vec<(String, u32)>,
    /// The file starts an application server itself (`code::starts_app_server`).
    pub starts_server: bool,
    /// PHP: engines named by `'driver' => …` (`database::php_driver_values`).
    pub php_drivers: Vec<(database::Engine, String, u32)>,
    /// PHP/Ruby: the controller handling a route, by the route's line
    /// (`code::route_controllers`).
    pub route_controllers: Vec<(u32, String)>,
}

impl CodeFile {
    pub fn mentions(&self, ident: &str) -> bool {
        self.mentions.contains(&ident)
    }
}

/// A JSON document and its text (for evidence lines).
#[derive(Debug)]
pub struct JsonDocument {
    pub value: serde_json::Value,
    pub text: String,
}

impl JsonDocument {
    pub fn line_of_key(&self, key: &str) -> u32 {
        text::json_key_line(&self.text, key)
    }

    /// The line of `"key":` inside the object at `"section":`.
    pub fn line_of_key_in(&self, section: &str, key: &str) -> u32 {
        let from = text::json_key_offset(&self.text, section, 0).unwrap_or(0);
        text::json_key_line_after(&self.text, key, from)
    }
}

/// What rules need from a JavaScript/TypeScript file.
#[derive(Debug, Default)]
pub struct JsFile {
    /// Route paths registered in code (`app.get("/health")`), with lines.
    pub route_paths: Vec<(String, u32)>,
    /// Every string literal that looks like a URL path.
    pub path_literals: Vec<(String, u32)>,
    /// The module names `GET` (a Next.js route handler that answers GET).
    pub handles_get: bool,
    /// `key: "value"` pairs, for config files only (next.config,
    /// prisma.config): (key, value, line), in file order.
    pub string_properties: Vec<code::KeyedString>,
    /// Environment variables the file reads, with their defaults.
    pub env_reads: Vec<config_code::EnvRead>,
    /// Environment variables an env schema gives a literal default
    /// (`JWT_SECRET: z.string().default("…")`).
    pub schema_defaults: Vec<config_code::SchemaDefault>,
    /// The environment schema the file declares (t3-env, envalid, zod).
    pub env_schema: Option<config_code::EnvSchema>,
    /// Databases the code names: SQLite and server driver imports, engines
    /// (`client: "sqlite3"`), database URLs, each with the role its
    /// expression gives it (default, option, test-only).
    pub databases: Vec<database::DatabaseLiteral>,
    /// Backups the code makes (dump commands, exports, uploads).
    pub backup: backup_code::BackupCode,
    /// `http.createServer(…)` and a `listen`: a server without a framework.
    pub starts_server: bool,
    /// A `.listen(…)` call: the file starts a server, of a framework
    /// (`app.listen(3000)`) or of `http`. Library code exports a handler or
    /// middleware and leaves listening to the app that uses it.
    pub calls_listen: bool,
}

impl JsFile {
    /// The first `key: "value"` of a config file.
    pub fn property(&self, key: &str) -> Option<(&str, u32)> {
        self.string_properties
            .iter()
            .find(|p| p.key == key)
            .map(|p| (p.value.as_str(), p.line))
    }
}

/// A manifest-folder YAML file's documents: the trees with lines, which
/// most readers walk, and the same documents as `yaml_rust2` values, made
/// only for the readers that want those (converting every manifest of a
/// repository of many services cost a twentieth of the audit).
#[derive(Debug)]
struct KubeYaml {
    tree: Vec<yaml_tree::Node>,
    docs: OnceLock<Vec<yaml_rust2::Yaml>>,
}

impl KubeYaml {
    fn documents(&self) -> &[yaml_rust2::Yaml] {
        self.docs
            .get_or_init(|| self.tree.iter().map(yaml_tree::to_yaml).collect())
    }
}

#[derive(Debug)]
enum Parsed {
    Failed,
    PackageJson(PackageJson),
    Env(EnvFile),
    Prisma(PrismaSchema),
    Shell(ShellScript),
    Compose(ComposeFile),
    Js(JsFile),
    Manifest(manifest::Manifest),
    RailsDatabase(rails::DatabaseYml),
    Spring(spring::SpringConfig),
    Code(CodeFile),
    Yaml(Vec<yaml_rust2::Yaml>),
    /// A manifest-folder YAML file: its documents and the Kubernetes
    /// objects read from them.
    Kube(KubeYaml, kubernetes::KubeFile),
    Text(String),
    Json(JsonDocument),
    Dockerfile(dockerfile::Dockerfile),
    Toml(toml::Table),
    DockerIgnore(dockerignore::DockerIgnore),
    Ci(ci::CiPipeline),
    Terraform(terraform::TerraformFile),
    TaskRunner(task_runner::TaskRunnerFile),
    Crontab(crontab::Crontab),
    Procfile(procfile::Procfile),
    Unparsed,
}

pub struct Facts<'a> {
    pub index: &'a Index,
    /// One slot per file, boxed so that an unread file costs a pointer, not
    /// the size of the largest parsed form (a million-file tree stays small).
    slots: Vec<OnceLock<Box<Parsed>>>,
    /// Per file, which words of `needles::table()` its text contains
    /// (`None`: unreadable), read once for every rule that asks.
    needle_masks: Vec<OnceLock<Option<u128>>>,
    /// Per file, its tokens once a rule asked for them
    /// (`Facts::source_code`; `None`: unreadable).
    source_codes: Vec<OnceLock<Option<Box<source::SourceCode>>>>,
    /// The texts of small operations and configuration files, kept once
    /// read (see `kept_text`), in shards by file id.
    kept: Vec<Mutex<HashMap<FileId, KeptText>>>,
    errors: Mutex<Vec<AuditError>>,
    max_file_size: u64,
}

/// A kept file's text, or why it could not be read.
type KeptText = Result<Arc<str>, String>;

/// Shards of `Facts::kept`: enough that the two threads rarely wait.
const KEPT_SHARDS: usize = 64;

/// Largest text kept: operations and configuration files are far smaller;
/// a larger one is read again when asked, as before.
const KEPT_MAX_BYTES: usize = 256 * 1024;

impl<'a> Facts<'a> {
    pub fn new(index: &'a Index, max_file_size: u64) -> Facts<'a> {
        Facts {
            index,
            slots: (0..index.files.len()).map(|_| OnceLock::new()).collect(),
            needle_masks: (0..index.files.len()).map(|_| OnceLock::new()).collect(),
            source_codes: (0..index.files.len()).map(|_| OnceLock::new()).collect(),
            kept: (0..KEPT_SHARDS)
                .map(|_| Mutex::new(HashMap::new()))
                .collect(),
            errors: Mutex::new(Vec::new()),
            max_file_size,
        }
    }

    /// Whether a file's text is kept once read: operations and
    /// configuration files are asked about by several readers (the word
    /// mask, the parse, rules that search the raw text), and opening a file
    /// again costs more than the scan that follows. Source code, the bulk of
    /// a tree's bytes, and lockfiles are read on demand as before.
    fn keeps_text(&self, id: FileId) -> bool {
        !matches!(
            self.index.get(id).kind,
            None | Some(FileKind::Source(_) | FileKind::JsSource | FileKind::Lockfile)
        )
    }

    /// A text `read` has kept, without reading the file.
    fn kept_text(&self, id: FileId) -> Option<Arc<str>> {
        let shard = &self.kept[id % KEPT_SHARDS];
        let kept = shard.lock().unwrap_or_else(|poison| poison.into_inner());
        kept.get(&id)?.as_ref().ok().cloned()
    }

    /// The text of a file, read once for every reader when `keeps_text`
    /// says so (and it is no larger than `KEPT_MAX_BYTES`), read now
    /// otherwise.
    fn read(&self, id: FileId) -> Result<String, String> {
        if !self.keeps_text(id) {
            return text::read_text(&self.index.path(id), self.max_file_size);
        }
        let shard = &self.kept[id % KEPT_SHARDS];
        let lock = || shard.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(kept) = lock().get(&id) {
            return kept.as_deref().map(str::to_string).map_err(Clone::clone);
        }
        // Read outside the lock: another thread may read the same file at
        // the same time and keep the same text.
        let read = text::read_text(&self.index.path(id), self.max_file_size);
        let keep = match &read {
            Ok(text) => text.len() <= KEPT_MAX_BYTES,
            Err(_) => true,
        };
        if keep {
            let kept = read.as_deref().map(Arc::from).map_err(Clone::clone);
            lock().insert(id, kept);
        }
        read
    }

    pub fn into_errors(self) -> Vec<AuditError> {
        let Facts {
            slots,
            needle_masks,
            source_codes,
            kept,
            errors,
            ..
        } = self;
        // Freeing every parsed file one by one is serial work at the end of
        // the audit (a few percent of it on a monorepo of a thousand
        // services); nothing waits for it, so another thread does it.
        std::thread::spawn(move || drop((slots, needle_masks, source_codes, kept)));
        errors
            .into_inner()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn package_json(&self, id: FileId) -> Option<&PackageJson> {
        match self.parsed(id) {
            Parsed::PackageJson(p) => Some(p),
            _ => None,
        }
    }

    pub fn env_file(&self, id: FileId) -> Option<&EnvFile> {
        match self.parsed(id) {
            Parsed::Env(e) => Some(e),
            _ => None,
        }
    }

    pub fn prisma_schema(&self, id: FileId) -> Option<&PrismaSchema> {
        match self.parsed(id) {
            Parsed::Prisma(p) => Some(p),
            _ => None,
        }
    }

    pub fn shell_script(&self, id: FileId) -> Option<&ShellScript> {
        match self.parsed(id) {
            Parsed::Shell(s) => Some(s),
            _ => None,
        }
    }

    pub fn compose(&self, id: FileId) -> Option<&ComposeFile> {
        match self.parsed(id) {
            Parsed::Compose(c) => Some(c),
            _ => None,
        }
    }

    pub fn js(&self, id: FileId) -> Option<&JsFile> {
        match self.parsed(id) {
            Parsed::Js(j) => Some(j),
            _ => None,
        }
    }

    pub fn dockerfile(&self, id: FileId) -> Option<&dockerfile::Dockerfile> {
        match self.parsed(id) {
            Parsed::Dockerfile(d) => Some(d),
            _ => None,
        }
    }

    pub fn dockerignore(&self, id: FileId) -> Option<&dockerignore::DockerIgnore> {
        match self.parsed(id) {
            Parsed::DockerIgnore(d) => Some(d),
            _ => None,
        }
    }

    /// A JSON document (ORM configuration).
    pub fn json(&self, id: FileId) -> Option<&JsonDocument> {
        match self.parsed(id) {
            Parsed::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The text of a file kept whole (READMEs).
    pub fn text(&self, id: FileId) -> Option<&str> {
        match self.parsed(id) {
            Parsed::Text(t) => Some(t),
            _ => None,
        }
    }

    /// A TOML document (Prisma's `migration_lock.toml`).
    pub fn toml(&self, id: FileId) -> Option<&toml::Table> {
        match self.parsed(id) {
            Parsed::Toml(t) => Some(t),
            _ => None,
        }
    }

    /// A Procfile's processes.
    pub fn procfile(&self, id: FileId) -> Option<&procfile::Procfile> {
        match self.parsed(id) {
            Parsed::Procfile(p) => Some(p),
            _ => None,
        }
    }

    pub fn manifest(&self, id: FileId) -> Option<&manifest::Manifest> {
        match self.parsed(id) {
            Parsed::Manifest(m) => Some(m),
            _ => None,
        }
    }

    pub fn rails_database(&self, id: FileId) -> Option<&rails::DatabaseYml> {
        match self.parsed(id) {
            Parsed::RailsDatabase(d) => Some(d),
            _ => None,
        }
    }

    pub fn spring_config(&self, id: FileId) -> Option<&spring::SpringConfig> {
        match self.parsed(id) {
            Parsed::Spring(c) => Some(c),
            _ => None,
        }
    }

    pub fn code(&self, id: FileId) -> Option<&CodeFile> {
        match self.parsed(id) {
            Parsed::Code(c) => Some(c),
            _ => None,
        }
    }

    /// A CI/CD pipeline's commands and actions.
    pub fn ci_pipeline(&self, id: FileId) -> Option<&ci::CiPipeline> {
        match self.parsed(id) {
            Parsed::Ci(c) => Some(c),
            _ => None,
        }
    }

    /// A Terraform or Terragrunt file's blocks (`.tf`, `terragrunt.hcl`).
    pub fn terraform(&self, id: FileId) -> Option<&terraform::TerraformFile> {
        match self.parsed(id) {
            Parsed::Terraform(t) => Some(t),
            _ => None,
        }
    }

    /// A Makefile, Justfile, Capistrano, Envoy, Deployer or Fabric file's
    /// recipes and declared hosts.
    pub fn task_runner(&self, id: FileId) -> Option<&task_runner::TaskRunnerFile> {
        match self.parsed(id) {
            Parsed::TaskRunner(t) => Some(t),
            _ => None,
        }
    }

    /// A committed crontab's commands.
    pub fn crontab(&self, id: FileId) -> Option<&crontab::Crontab> {
        match self.parsed(id) {
            Parsed::Crontab(c) => Some(c),
            _ => None,
        }
    }

    pub fn yaml_documents(&self, id: FileId) -> Option<&[yaml_rust2::Yaml]> {
        match self.parsed(id) {
            Parsed::Yaml(docs) => Some(docs),
            Parsed::Kube(yaml, _) => Some(yaml.documents()),
            _ => None,
        }
    }

    /// The Kubernetes objects of a manifest-folder YAML file.
    pub fn kubernetes(&self, id: FileId) -> Option<&kubernetes::KubeFile> {
        match self.parsed(id) {
            Parsed::Kube(_, file) => Some(file),
            _ => None,
        }
    }

    /// The documents of a manifest-folder YAML file as trees with lines
    /// (`yaml_documents` gives the same as `yaml_rust2` values).
    pub fn yaml_trees(&self, id: FileId) -> Option<&[yaml_tree::Node]> {
        match self.parsed(id) {
            Parsed::Kube(yaml, _) => Some(&yaml.tree),
            _ => None,
        }
    }

    /// Whether a YAML file in a manifests folder really is a Kubernetes
    /// manifest (a document with `apiVersion` and `kind`).
    pub fn is_kubernetes_manifest(&self, id: FileId) -> bool {
        if let Some(trees) = self.yaml_trees(id) {
            return trees
                .iter()
                .any(|d| d.get_str("apiVersion").is_some() && d.get_str("kind").is_some());
        }
        self.yaml_documents(id).is_some_and(|docs| {
            docs.iter().any(|d| {
                yaml::get_str(d, "apiVersion").is_some() && yaml::get_str(d, "kind").is_some()
            })
        })
    }

    /// Whether a YAML file is an Ansible playbook: a list of plays, each
    /// naming the `hosts` it runs on and what it does there (`tasks`,
    /// `roles`, …), or importing another playbook.
    pub fn is_ansible_playbook(&self, id: FileId) -> bool {
        if let Some(trees) = self.yaml_trees(id) {
            // Manifest folders keep trees: asked of every manifest, so not
            // converted (a Kubernetes document is a mapping, never a list).
            let has = |item: &yaml_tree::Node, key: &str| item.get(key).is_some();
            let play = |item: &yaml_tree::Node| {
                has(item, "hosts")
                    && ["tasks", "roles", "pre_tasks", "post_tasks"]
                        .iter()
                        .any(|k| has(item, k))
            };
            let import = |item: &yaml_tree::Node| {
                [
                    "import_playbook",
                    "ansible.builtin.import_playbook",
                    "include",
                ]
                .iter()
                .any(|k| has(item, k))
            };
            return trees.iter().any(|doc| {
                let items = doc.items();
                matches!(doc.value, yaml_tree::Value::Seq(_))
                    && items.iter().any(|i| play(i) || has(i, "import_playbook"))
                    && items.iter().all(|i| play(i) || import(i))
            });
        }
        let Some(docs) = self.yaml_documents(id) else {
            return false;
        };
        let has = |item: &yaml_rust2::Yaml, key: &str| yaml::get(item, key).is_some();
        let play = |item: &yaml_rust2::Yaml| {
            has(item, "hosts")
                && ["tasks", "roles", "pre_tasks", "post_tasks"]
                    .iter()
                    .any(|k| has(item, k))
        };
        let import = |item: &yaml_rust2::Yaml| {
            [
                "import_playbook",
                "ansible.builtin.import_playbook",
                "include",
            ]
            .iter()
            .any(|k| has(item, k))
        };
        docs.iter().any(|doc| {
            doc.as_vec().is_some_and(|items| {
                items.iter().any(|i| play(i) || has(i, "import_playbook"))
                    && items.iter().all(|i| play(i) || import(i))
            })
        })
    }

    /// Reads and parses files ahead of the rules, on all threads. Rules
    /// that first ask for a repository-wide list (every compose file, every
    /// manifest) would otherwise parse it on one thread while the others
    /// wait for the answer.
    pub fn parse_ahead(&self, ids: &[FileId]) {
        use rayon::prelude::*;
        ids.par_iter().for_each(|id| {
            self.parsed(*id);
        });
    }

    fn parsed(&self, id: FileId) -> &Parsed {
        self.slots[id].get_or_init(|| Box::new(self.parse(id)))
    }

    /// Source facts for a file, but only when its text contains one of
    /// `needles`: a rule that looks for something spelled a known way skips
    /// the lexing of every file that cannot contain it. Read errors are
    /// recorded as for any parse.
    pub fn js_mentioning(&self, id: FileId, needles: &[&str]) -> Option<&JsFile> {
        match self.parsed_mentioning(id, needles)? {
            Parsed::Js(j) => Some(j),
            _ => None,
        }
    }

    /// The environment variables a source file reads, when its text can
    /// read any (`needles::JS_ENV_READS` for JavaScript/TypeScript,
    /// `needles::CODE_ENV_READS` for the other languages).
    pub fn env_reads(&self, id: FileId) -> Option<&[config_code::EnvRead]> {
        match self.index.get(id).kind? {
            FileKind::Source(_) => self
                .code_mentioning(id, needles::CODE_ENV_READS)
                .map(|c| c.env_reads.as_slice()),
            _ => self
                .js_mentioning(id, needles::JS_ENV_READS)
                .map(|j| j.env_reads.as_slice()),
        }
    }

    /// The environment schema a JavaScript/TypeScript file declares
    /// (`config_code::env_schema`).
    pub fn env_schema(&self, id: FileId) -> Option<&config_code::EnvSchema> {
        self.js_mentioning(id, needles::JS_ENV_READS)?
            .env_schema
            .as_ref()
    }

    /// A shell script's commands, when its text spells one of `needles`
    /// (see `js_mentioning`): the repository-wide questions about scripts
    /// ask with `needles::SHELL_OPERATIONS`, so that the many scripts that
    /// neither deploy nor back anything up are read for their words only.
    pub fn shell_script_mentioning(&self, id: FileId, needles: &[&str]) -> Option<&ShellScript> {
        match self.parsed_mentioning(id, needles)? {
            Parsed::Shell(s) => Some(s),
            _ => None,
        }
    }

    /// Parses ahead, on all threads, those of `ids` whose text spells one
    /// of `needles` (the others are read for their word masks only).
    pub fn parse_ahead_mentioning(&self, ids: &[FileId], needles: &[&str]) {
        use rayon::prelude::*;
        ids.par_iter().for_each(|id| {
            self.parsed_mentioning(*id, needles);
        });
    }

    /// `code()` for files that contain one of `needles` (see `js_mentioning`).
    pub fn code_mentioning(&self, id: FileId, needles: &[&str]) -> Option<&CodeFile> {
        match self.parsed_mentioning(id, needles)? {
            Parsed::Code(c) => Some(c),
            _ => None,
        }
    }

    /// Whether the file may contain one of `needles`: answered from the
    /// file's word mask when every needle is in `needles::table()` (the file
    /// is read once for all such questions); `true` otherwise, and for
    /// unreadable files, so that the caller reads it (and reports why not).
    pub fn may_mention(&self, id: FileId, needles: &[&str]) -> bool {
        if needles.is_empty() {
            return true;
        }
        let Some(bits) = needles::bits_of(needles) else {
            return true;
        };
        self.mask_reading(id).0.is_none_or(|mask| mask & bits != 0)
    }

    /// Reads the word masks of `ids` on all threads, ahead of the rules
    /// that will ask (see `rules::read_app_code_ahead`). Contiguous runs
    /// of ids share folders, so each thread takes a run.
    pub fn read_word_masks(&self, ids: &[FileId]) {
        use rayon::prelude::*;
        ids.par_iter().with_min_len(32).for_each(|id| {
            // Only the mask is kept, so the bytes are scanned where they
            // were read. An unreadable file gets no mask; the rule that
            // reads it reports why.
            self.needle_masks[*id].get_or_init(|| {
                if self.is_not_shell(*id) {
                    return Some(0);
                }
                if self.keeps_text(*id) {
                    return self.read(*id).ok().map(|t| needles::mask_of(t.as_bytes()));
                }
                text::with_file_bytes(&self.index.path(*id), self.max_file_size, needles::mask_of)
                    .ok()
            });
        });
    }

    /// The file's word mask, computed by the first asker (others wait for
    /// it); the first asker also gets the text it read, so that a file is
    /// read once for its mask and its parse.
    fn mask_reading(&self, id: FileId) -> (Option<u128>, Option<Result<String, String>>) {
        let mut first_read = None;
        let mask = *self.needle_masks[id].get_or_init(|| {
            // Not a script after all: it mentions nothing.
            if self.is_not_shell(id) {
                return Some(0);
            }
            let read = self.read(id);
            let mask = read
                .as_ref()
                .ok()
                .map(|text| needles::mask_of(text.as_bytes()));
            first_read = Some(read);
            mask
        });
        (mask, first_read)
    }

    /// An extension-less script candidate (`bin/deploy`) is shell only
    /// when its `#!` line says so: a compiled program or a Ruby binstub
    /// beside it is neither read whole nor an error.
    fn is_not_shell(&self, id: FileId) -> bool {
        let file = self.index.get(id);
        file.kind == Some(FileKind::ShellScript)
            && crate::index::is_extensionless_script(file.name())
            && !text::has_shell_shebang(&self.index.path(id))
    }

    fn parsed_mentioning(&self, id: FileId, needles: &[&str]) -> Option<&Parsed> {
        if let Some(parsed) = self.slots[id].get() {
            return Some(&**parsed);
        }
        if self.is_not_shell(id) {
            return Some(&**self.slots[id].get_or_init(|| Box::new(Parsed::Unparsed)));
        }
        let (mask, first_read) = self.mask_reading(id);
        // The mask answers for words in the table; others are searched.
        let mut answered = false;
        if let (Some(mask), Some(bits)) = (mask, needles::bits_of(needles)) {
            if !needles.is_empty() && mask & bits == 0 {
                return None;
            }
            answered = true;
        }
        let read = first_read.unwrap_or_else(|| self.read(id));
        match read {
            Ok(text) => {
                if !answered && !needles.iter().any(|n| text.contains(n)) {
                    return None;
                }
                Some(&**self.slots[id].get_or_init(|| Box::new(self.parse_text(id, text))))
            }
            Err(message) => {
                Some(&**self.slots[id].get_or_init(|| Box::new(self.fail(id, message))))
            }
        }
    }

    fn parse(&self, id: FileId) -> Parsed {
        let file = self.index.get(id);
        if file.kind.is_none() {
            return Parsed::Unparsed;
        }
        if self.is_not_shell(id) {
            return Parsed::Unparsed;
        }
        match self.read(id) {
            Ok(text) => self.parse_text(id, text),
            Err(message) => self.fail(id, message),
        }
    }

    fn parse_text(&self, id: FileId, text: String) -> Parsed {
        let file = self.index.get(id);
        let Some(kind) = file.kind else {
            return Parsed::Unparsed;
        };
        let result = match kind {
            FileKind::PackageJson => PackageJson::parse(text).map(Parsed::PackageJson),
            FileKind::OrmConfigJson => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(value) => Ok(Parsed::Json(JsonDocument { value, text })),
                Err(e) => Err(format!("invalid JSON: {e}")),
            },
            FileKind::EnvExample | FileKind::EnvFile => Ok(Parsed::Env(EnvFile::parse(&text))),
            FileKind::PrismaSchema => PrismaSchema::parse(&text).map(Parsed::Prisma),
            FileKind::ShellScript => ShellScript::parse(&text).map(Parsed::Shell),
            FileKind::Compose => ComposeFile::parse(&text).map(Parsed::Compose),
            FileKind::JsSource => {
                let tokens = code::tokenize(&text, code::Lang::Js);
                Ok(Parsed::Js(JsFile {
                    route_paths: code::route_paths(&tokens, code::Lang::Js),
                    path_literals: code::path_literals(&tokens),
                    handles_get: code::has_ident(&tokens, "GET"),
                    string_properties: Vec::new(),
                    env_reads: config_code::env_reads(&tokens, code::Lang::Js),
                    schema_defaults: config_code::schema_defaults(&tokens),
                    env_schema: config_code::env_schema(&tokens),
                    databases: database::literals(&tokens, &text, code::Lang::Js),
                    backup: backup_code::BackupCode::read(&tokens, &text, code::Lang::Js),
                    starts_server: code::starts_app_server(&tokens, code::Lang::Js),
                    calls_listen: code::calls_method(&tokens, "listen"),
                }))
            }
            FileKind::FrameworkConfig | FileKind::PrismaConfig | FileKind::OrmConfig => {
                let tokens = code::tokenize(&text, code::Lang::Js);
                Ok(Parsed::Js(JsFile {
                    route_paths: Vec::new(),
                    path_literals: Vec::new(),
                    handles_get: false,
                    string_properties: code::string_properties(&tokens),
                    env_reads: config_code::env_reads(&tokens, code::Lang::Js),
                    schema_defaults: Vec::new(),
                    env_schema: None,
                    databases: database::literals(&tokens, &text, code::Lang::Js),
                    backup: backup_code::BackupCode::default(),
                    starts_server: false,
                    calls_listen: false,
                }))
            }
            FileKind::Requirements
            | FileKind::PyProject
            | FileKind::Pipfile
            | FileKind::Gemfile
            | FileKind::ComposerJson
            | FileKind::MavenPom
            | FileKind::Gradle
            | FileKind::GoMod
            | FileKind::CargoToml
            | FileKind::DotnetProject
            | FileKind::MixExs => manifest::parse(kind, text).map(Parsed::Manifest),
            FileKind::Source(lang) => {
                let tokens = code::tokenize(&text, lang);
                Ok(Parsed::Code(CodeFile {
                    route_paths: code::route_paths(&tokens, lang),
                    path_literals: code::path_literals(&tokens),
                    databases: database::literals(&tokens, &text, lang),
                    mentions: code::notable_identifiers(&tokens),
                    env_reads: config_code::env_reads_in(&tokens, &text, lang),
                    debug_settings: config_code::debug_settings(&tokens, &text, lang),
                    backup: backup_code::BackupCode::read(&tokens, &text, lang),
                    imports: if file.name() == "setup.py" {
                        code::setup_py_requirements(&tokens)
                    } else {
                        code::imports(&tokens, lang)
                    },
                    starts_server: code::starts_app_server(&tokens, lang),
                    php_drivers: if lang == code::Lang::Php {
                        database::php_driver_values(&tokens)
                    } else {
                        Vec::new()
                    },
                    route_controllers: code::route_controllers(&tokens, lang),
                }))
            }
            FileKind::RailsDatabaseYml => {
                rails::DatabaseYml::parse(&text).map(Parsed::RailsDatabase)
            }
            FileKind::SpringConfig => {
                spring::SpringConfig::parse(file.name(), &text).map(Parsed::Spring)
            }
            FileKind::Readme => Ok(Parsed::Text(text)),
            FileKind::PrismaMigrationLock => text
                .parse::<toml::Table>()
                .map(Parsed::Toml)
                .map_err(|e| format!("invalid TOML: {e}")),
            FileKind::Dockerfile => dockerfile::Dockerfile::parse(&text).map(Parsed::Dockerfile),
            FileKind::DockerIgnore => Ok(Parsed::DockerIgnore(dockerignore::DockerIgnore::parse(
                &text,
            ))),
            // One parse: the tree with lines, and the plain documents made
            // from it (a manifests folder can hold megabytes of YAML).
            FileKind::KubernetesCandidate => {
                kubernetes::load_without_crd_schemas(&text).map(|tree| {
                    let file = kubernetes::KubeFile::from_documents(&tree);
                    Parsed::Kube(
                        KubeYaml {
                            tree,
                            docs: OnceLock::new(),
                        },
                        file,
                    )
                })
            }
            FileKind::PnpmWorkspace | FileKind::AnsibleCandidate => {
                yaml::load(&text).map(Parsed::Yaml)
            }
            FileKind::CiConfig => ci::CiPipeline::parse(file.name(), &text).map(Parsed::Ci),
            FileKind::Crontab => {
                // `/etc/crontab` and `cron.d/*` name a user after the schedule.
                let system = file.dir().ends_with("cron.d")
                    || file.name() == "crontab" && file.dir().ends_with("etc");
                Ok(Parsed::Crontab(crontab::Crontab::parse(&text, system)))
            }
            FileKind::TaskRunner => Ok(task_runner::TaskRunnerFile::parse(&file.rel, &text)
                .map_or(Parsed::Unparsed, Parsed::TaskRunner)),
            FileKind::Deploy(crate::index::DeployKind::Terraform)
                if file.name().ends_with(".tf")
                    || (file.name().ends_with(".hcl") && !file.name().ends_with(".pkr.hcl")) =>
            {
                terraform::parse(&text).map(Parsed::Terraform)
            }
            // Ansible playbooks and role task lists, for what they do to
            // the host. Unreadable ones stay unparsed without an error:
            // templated YAML is common and the rules take it as unknown.
            FileKind::Deploy(crate::index::DeployKind::Ansible)
                if file.name().ends_with(".yml") || file.name().ends_with(".yaml") =>
            {
                Ok(yaml::load(&text).map_or(Parsed::Unparsed, Parsed::Yaml))
            }
            // A Render blueprint: which services get a database.
            FileKind::Deploy(crate::index::DeployKind::Render) => {
                yaml::load(&text).map(Parsed::Yaml)
            }
            FileKind::Deploy(crate::index::DeployKind::Heroku) if file.name() == "Procfile" => {
                Ok(Parsed::Procfile(procfile::Procfile::parse(&text)))
            }
            // What a vercel.json configures decides how much it says.
            FileKind::Deploy(crate::index::DeployKind::Vercel)
                if file.name().ends_with(".json") =>
            {
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(value) => Ok(Parsed::Json(JsonDocument { value, text })),
                    Err(e) => Err(format!("invalid JSON: {e}")),
                }
            }
            _ => Ok(Parsed::Unparsed),
        };
        result.unwrap_or_else(|message| self.fail(id, message))
    }

    fn fail(&self, id: FileId, message: String) -> Parsed {
        let path = self.index.get(id).rel.clone();
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(AuditError { path, message });
        }
        Parsed::Failed
    }
}
