//! The seaworthy command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

use seaworthy::audit::{self, ConfigSource, Options};
use seaworthy::baseline::Baseline;
use seaworthy::compare;
use seaworthy::finding::Severity;
use seaworthy::fix;
use seaworthy::render::{self, Format};
use seaworthy::rules;

// The audit allocates many small, short-lived strings and vectors on every
// worker thread at once (tokens, parsed operations files, findings); glibc's
// allocator spent about a sixth of all instructions on a monorepo of a
// thousand services. mimalloc (as in ruff and biome) keeps per-thread free
// lists and does the same work in a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed memory committed for a while and commits its
/// arenas eagerly; on a 100k-file audit that held peak RSS ~70 MB above
/// glibc's (245 vs 172 MB, over the 200 MB budget of bench/scale.sh).
/// Returning freed pages at once and committing arenas on demand brings it
/// back (~168 MB) at no measurable cost in time.
///
/// mimalloc reads these options when it initializes, in its own
/// constructor (priority 101), before `main`: so on Linux they are put in
/// the environment by a constructor that runs just before it (a user's own
/// `MIMALLOC_*` settings win: nothing is overwritten). Elsewhere
/// `tune_allocator` sets them at the start of `main`, which covers
/// everything allocated after it.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00100"]
static ALLOCATOR_ENV: extern "C" fn() = allocator_env;

#[cfg(target_os = "linux")]
extern "C" fn allocator_env() {
    extern "C" {
        fn setenv(
            name: *const std::ffi::c_char,
            value: *const std::ffi::c_char,
            overwrite: std::ffi::c_int,
        ) -> std::ffi::c_int;
    }
    // SAFETY: runs single-threaded before main; both strings are
    // NUL-terminated literals; overwrite = 0 keeps the user's settings.
    unsafe {
        setenv(c"MIMALLOC_ARENA_EAGER_COMMIT".as_ptr(), c"0".as_ptr(), 0);
        setenv(c"MIMALLOC_PURGE_DELAY".as_ptr(), c"0".as_ptr(), 0);
    }
}

/// The same options set at run time (the option numbers are mimalloc's
/// `mi_option_e`, stable: retired options keep their slots).
fn tune_allocator() {
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some_and(|v| v != "0") {
        return;
    }
    // SAFETY: setting an option is a plain store mimalloc allows at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "seaworthy",
    version,
    about = "Audits a repository for production readiness."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit a repository and report every gap to a production-ready setup.
    Check {
        /// The repository (or app) to audit.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 1 when a finding is at or above this severity
        /// (critical, high, medium, low, info, or none to never fail).
        #[arg(long, default_value = "low", value_parser = parse_fail_on)]
        fail_on: FailOn,
        /// Skip files larger than this many bytes.
        #[arg(long, default_value_t = seaworthy::facts::text::DEFAULT_MAX_FILE_SIZE)]
        max_file_size: u64,
        /// Use this configuration file instead of the discovered seaworthy.toml.
        #[arg(long, conflicts_with = "no_config")]
        config: Option<PathBuf>,
        /// Ignore any seaworthy.toml.
        #[arg(long)]
        no_config: bool,
        /// Report only findings that are not in this baseline file.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Write the current findings as a baseline file (and report them).
        #[arg(long)]
        write_baseline: Option<PathBuf>,
        /// Write the report to this file instead of standard output
        /// (atomically: a reader never sees half a report).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also probe the running deployment at this URL (`seaworthy
        /// probe`) and report its findings with the repository's.
        #[arg(long, value_name = "URL")]
        probe: Option<String>,
        /// With --probe: check the backups under this S3 prefix; without
        /// it, the bucket the repository's backup scripts or env example
        /// name is checked when they name one.
        #[arg(long, value_name = "s3://BUCKET/PREFIX", requires = "probe")]
        backups: Option<String>,
        /// With --probe: an S3-compatible server to ask instead of AWS
        /// (default: the environment's BACKUP_S3_ENDPOINT, as the backup
        /// scripts of `seaworthy fix` read it).
        #[arg(long, value_name = "URL", requires = "probe")]
        endpoint_url: Option<String>,
    },
    /// Compare two audits saved with `check --format json`: what was fixed,
    /// what is new, what remains, and how the scores moved.
    Diff {
        /// The earlier audit (JSON).
        old: PathBuf,
        /// The later audit (JSON).
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit with 1 when a *new* finding is at or above this severity
        /// (none by default: the comparison itself never fails).
        #[arg(long, default_value = "none", value_parser = parse_fail_on)]
        fail_on: FailOn,
        /// Write the comparison to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Generate the fixes of the findings: Dockerfile, health routes,
    /// Sentry, PostgreSQL, deployment manifests. Re-checks after applying.
    Fix {
        /// The repository (or app) to fix.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Print the changes as unified diffs and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Fix only this rule (name or code); repeat for several.
        #[arg(long = "rule", value_name = "NAME")]
        rules: Vec<String>,
        /// Also apply fixes that change behaviour or data (SQLite → PostgreSQL).
        #[arg(long = "unsafe")]
        allow_unsafe: bool,
        /// Edit files that have uncommitted changes.
        #[arg(long)]
        allow_dirty: bool,
        /// Write even though the project is not under version control.
        #[arg(long)]
        allow_no_vcs: bool,
        /// Where the app runs, for the deployment fix.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(fix::DeployTarget::NAMES))]
        deploy_target: Option<String>,
        /// Test hook for the fault-injection suite (`fail:N` or `pause:N`:
        /// break the transaction before its step N). Hidden: it exists so
        /// tests can break a real run of this binary.
        #[arg(long, hide = true, value_name = "SPEC", value_parser = parse_fault)]
        debug_fault: Option<fix::transaction::Fault>,
    },
    /// Check a running deployment, read-only: health routes, exposed files
    /// and headers, HTTPS. Reports like `check`.
    Probe {
        /// The deployment's base URL (http:// or https://).
        url: String,
        /// The liveness (or only) health route; well-known paths are tried
        /// when not given.
        #[arg(long, value_name = "PATH")]
        health: Option<String>,
        /// The readiness route; well-known paths are tried when not given.
        #[arg(long, value_name = "PATH")]
        readiness: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit with 1 when a finding is at or above this severity.
        #[arg(long, default_value = "low", value_parser = parse_fail_on)]
        fail_on: FailOn,
        /// Seconds each request may take.
        #[arg(long, default_value_t = 5, value_name = "SECS",
              value_parser = clap::value_parser!(u64).range(1..=120))]
        timeout: u64,
        /// Also trust the CA certificates (PEM) in this file.
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// Also check the backups stored under this S3 prefix (credentials
        /// from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
        /// region from AWS_REGION, default us-east-1).
        #[arg(long, value_name = "s3://BUCKET/PREFIX")]
        backups: Option<String>,
        /// An S3-compatible server to ask instead of AWS (path-style).
        #[arg(long, value_name = "URL", requires = "backups")]
        endpoint_url: Option<String>,
        /// The newest backup may be this many hours old.
        #[arg(long, value_name = "HOURS", default_value_t = 26, requires = "backups")]
        max_backup_age: u64,
        /// Write the report to this file instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List every rule: code, name, category, severity.
    Rules,
    /// Show one rule's documentation, or (with --files) what files are for.
    #[command(group(clap::ArgGroup::new("what").required(true).args(["name", "files"])))]
    Explain {
        /// Rule name (`sqlite-in-production`) or code (`SW601`).
        name: Option<String>,
        /// Show the role seaworthy gives each file (production, development,
        /// test, ci, tooling, template, dead) and the evidence. A folder
        /// stands for its Dockerfiles, compose, env, CI, Kubernetes and
        /// script files.
        #[arg(long, num_args = 1.., value_name = "PATH")]
        files: Vec<PathBuf>,
        /// The repository the files are judged in. Default: the nearest
        /// folder above the first PATH holding `.git`, else the current
        /// folder.
        #[arg(long, value_name = "DIR", requires = "files")]
        root: Option<PathBuf>,
        /// Output format of --files.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text, requires = "files")]
        format: ExplainFormat,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ExplainFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy)]
enum FailOn {
    At(Severity),
    Never,
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s == "none" {
        return Ok(FailOn::Never);
    }
    Severity::parse(s).map(FailOn::At).ok_or_else(|| {
        format!("expected one of critical, high, medium, low, info, none; got `{s}`")
    })
}

fn parse_fault(s: &str) -> Result<fix::transaction::Fault, String> {
    fix::transaction::Fault::parse(s)
        .ok_or_else(|| format!("expected fail:N or pause:N; got `{s}`"))
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            path,
            format,
            fail_on,
            max_file_size,
            config,
            no_config,
            baseline,
            write_baseline,
            output,
            probe,
            backups,
            endpoint_url,
        } => {
            let config = match (config, no_config) {
                (Some(file), _) => ConfigSource::File(file),
                (None, true) => ConfigSource::None,
                (None, false) => ConfigSource::Discover,
            };
            let baseline = match baseline.map(|p| Baseline::load(&p)).transpose() {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let options = Options {
                max_file_size,
                config,
                baseline,
                ..Options::default()
            };
            let live = probe.map(|url| {
                let mut live = seaworthy::probe::Options::new(url);
                live.backups = backups;
                live.endpoint_url = endpoint_url;
                live
            });
            check(path, format, fail_on, options, write_baseline, output, live)
        }
        Command::Diff {
            old,
            new,
            format,
            fail_on,
            output,
        } => {
            let (old, new) = match (
                compare::SavedReport::load(&old),
                compare::SavedReport::load(&new),
            ) {
                (Ok(o), Ok(n)) => (o, n),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let comparison = compare::compare(&old, &new);
            let text = match format {
                DiffFormat::Text => compare::render_text(&comparison),
                DiffFormat::Markdown => compare::render_markdown(&comparison),
                DiffFormat::Json => compare::render_json(&comparison),
            };
            let code = deliver(&text, output.as_deref());
            if code != ExitCode::SUCCESS {
                return code;
            }
            let failing = match fail_on {
                FailOn::Never => false,
                FailOn::At(threshold) => comparison
                    .new
                    .iter()
                    .any(|f| f.severity().is_some_and(|s| s >= threshold)),
            };
            if failing {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Fix {
            path,
            dry_run,
            rules: wanted,
            allow_unsafe,
            allow_dirty,
            allow_no_vcs,
            deploy_target,
            debug_fault,
        } => {
            for name in &wanted {
                if rules::find(name).is_none() {
                    eprintln!("error: no rule named `{name}`; `seaworthy rules` lists them");
                    return ExitCode::from(2);
                }
            }
            let options = fix::Options {
                rules: wanted,
                allow_unsafe,
                deploy_target: deploy_target.as_deref().and_then(fix::DeployTarget::parse),
                allow_dirty,
                allow_no_vcs,
                fault: debug_fault,
            };
            match fix::run(&path, &options, dry_run) {
                Ok(out) => {
                    for note in &out.notes {
                        eprintln!("{note}");
                    }
                    let code = emit(&out.text);
                    if out.code != 0 {
                        ExitCode::from(out.code)
                    } else {
                        code
                    }
                }
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Probe {
            url,
            health,
            readiness,
            format,
            fail_on,
            timeout,
            ca_cert,
            backups,
            endpoint_url,
            max_backup_age,
            output,
        } => {
            let mut options = seaworthy::probe::Options::new(url);
            options.ca_cert = ca_cert;
            options.backups = backups;
            options.endpoint_url = endpoint_url;
            options.max_backup_age = Duration::from_secs(max_backup_age.saturating_mul(3600));
            options.health = health;
            options.readiness = readiness;
            options.timeout = Duration::from_secs(timeout);
            probe(&options, format, fail_on, output)
        }
        Command::Rules => {
            // Columns as wide as the longest name, so long names stay aligned.
            let width = rules::ALL
                .iter()
                .map(|r| r.meta.name.len())
                .max()
                .unwrap_or(4);
            let mut out = format!(
                "{:<6} {:<width$} {:<28} {:<9} {}\n",
                "CODE", "NAME", "CATEGORY", "SEVERITY", "FIXABLE"
            );
            for rule in rules::ALL {
                let m = &rule.meta;
                out.push_str(&format!(
                    "{:<6} {:<width$} {:<28} {:<9} {}\n",
                    m.code,
                    m.name,
                    m.category.as_str(),
                    m.severity.as_str(),
                    seaworthy::fix::catalog::fix_kind(m.name, m.fixable)
                ));
            }
            emit(&out)
        }
        Command::Explain {
            name,
            files,
            root,
            format,
        } => {
            if !files.is_empty() {
                return explain_files(&files, root, format);
            }
            let name = name.unwrap_or_default();
            match rules::find(&name) {
                Some(rule) => emit(&rules::docs_page(rule)),
                None => {
                    eprintln!("error: no rule named `{name}`; `seaworthy rules` lists them");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn check(
    path: PathBuf,
    format: Format,
    fail_on: FailOn,
    options: Options,
    write_baseline: Option<PathBuf>,
    output: Option<PathBuf>,
    live: Option<seaworthy::probe::Options>,
) -> ExitCode {
    let progress = Progress::start(&path);
    // With --probe, the audit also says what the repository tells the probe
    // (health routes, the backup bucket), from the same index and facts.
    let result = if live.is_some() {
        audit::run_with_hints(&path, &options).map(|(r, h)| (r, Some(h)))
    } else {
        audit::run(&path, &options).map(|r| (r, None))
    };
    progress.stop();
    let (mut report, hints) = match result {
        Ok(done) => done,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    if let Some(file) = write_baseline {
        if let Err(e) = Baseline::of(&report.findings).write(&file) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        eprintln!(
            "wrote {} finding(s) to the baseline {}",
            report.findings.len(),
            file.display()
        );
    }
    if let Some(mut live) = live {
        let hints = hints.unwrap_or_default();
        // The health routes the apps define are asked first.
        live.repository_health = hints.health;
        live.repository_readiness = hints.readiness;
        // Where the repository says its backups go, the probe looks there.
        if live.backups.is_none() {
            if let Some((target, from)) = hints.backup_target {
                eprintln!("probe: backups: checking {target} (named in {from})");
                live.backups = Some(target);
                live.backups_named_in = Some(from);
            }
        }
        if live.backups.is_some() && live.endpoint_url.is_none() {
            live.endpoint_url = std::env::var("BACKUP_S3_ENDPOINT")
                .ok()
                .filter(|e| !e.is_empty());
        }
        // The live findings join the static ones; an unreachable deployment
        // stops the check as it stops `seaworthy probe`.
        match seaworthy::probe::run(&live) {
            Ok(outcome) => {
                for note in &outcome.notes {
                    eprintln!("probe: {note}");
                }
                report.merge_live(outcome.report);
                // No bucket to look at: the reports say the backups were
                // not verified, rather than nothing.
                if report.backups.is_none() {
                    report.backups = Some(seaworthy::probe::backups::Verification::no_target());
                }
            }
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        }
    }
    for e in &report.errors {
        eprintln!("warning: {}: {}", e.path, e.message);
    }
    let color = format == Format::Text
        && output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let code = deliver(&render::render(&report, format, color), output.as_deref());
    if code != ExitCode::SUCCESS {
        return code;
    }
    let failing = match fail_on {
        FailOn::Never => false,
        FailOn::At(threshold) => report.findings.iter().any(|f| f.severity >= threshold),
    };
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn probe(
    options: &seaworthy::probe::Options,
    format: Format,
    fail_on: FailOn,
    output: Option<PathBuf>,
) -> ExitCode {
    let outcome = match seaworthy::probe::run(options) {
        Ok(o) => o,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    for note in &outcome.notes {
        eprintln!("probe: {note}");
    }
    let report = outcome.report;
    let color = format == Format::Text
        && output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let code = deliver(&render::render(&report, format, color), output.as_deref());
    if code != ExitCode::SUCCESS {
        return code;
    }
    match fail_on {
        FailOn::At(t) if report.findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// A spinner on stderr for audits that take longer than a second, only when
/// stderr is a terminal (never in CI logs or pipes).
struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(path: &std::path::Path) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { done, thread: None };
        }
        let flag = Arc::clone(&done);
        let shown = path.display().to_string();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let frames = ['|', '/', '-', '\\'];
            let mut drawn = false;
            let mut frame = 0;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if started.elapsed() >= Duration::from_secs(1) && !flag.load(Ordering::Relaxed) {
                    eprint!(
                        "\r{} auditing {shown} ({:.0} s)",
                        frames[frame % 4],
                        started.elapsed().as_secs_f32()
                    );
                    frame += 1;
                    drawn = true;
                }
            }
            if drawn {
                // Clear the line so the report starts clean.
                eprint!("\r\x1b[2K");
            }
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }

    fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the program quietly.
/// The report to `--output FILE` when given, else to standard output.
fn deliver(text: &str, output: Option<&std::path::Path>) -> ExitCode {
    match output {
        None => emit(text),
        Some(file) => match write_atomically(file, text.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: could not write {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
    }
}

/// Writes beside the target and renames over it, so that a CI step reading
/// the file never sees half a report, and an old report stays whole when
/// the write fails.
fn write_atomically(file: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut staged = tempfile::NamedTempFile::new_in(dir)?;
    staged.write_all(bytes)?;
    staged.as_file().sync_all()?;
    staged.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// `explain --files`: the role of each file in the audit of its repository.
fn explain_files(files: &[PathBuf], root: Option<PathBuf>, format: ExplainFormat) -> ExitCode {
    let absolute = |p: &Path| -> PathBuf {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        })
    };
    let root = match root {
        Some(root) => absolute(&root),
        None => {
            let first = absolute(&files[0]);
            first
                .ancestors()
                .find(|d| d.join(".git").exists())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| absolute(Path::new(".")))
        }
    };
    let mut wanted = Vec::new();
    for file in files {
        let full = absolute(file);
        match full.strip_prefix(&root) {
            Ok(rel) => wanted.push(seaworthy::walk::relative(Path::new(""), rel)),
            Err(_) => {
                eprintln!(
                    "error: {} is not inside the repository {}",
                    file.display(),
                    root.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    match audit::explain_files(&root, &audit::Options::default(), &wanted) {
        Ok(explained) => match format {
            ExplainFormat::Text => emit(&seaworthy::roles::render_text(&explained)),
            ExplainFormat::Json => {
                let json = serde_json::json!({
                    "root": root.display().to_string(),
                    "files": explained,
                });
                emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json).unwrap_or_default()
                ))
            }
        },
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(2)
        }
    }
}

fn emit(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: could not write the report: {e}");
            ExitCode::from(2)
        }
    }
}
