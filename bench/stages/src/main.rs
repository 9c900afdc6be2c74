//! Times each stage of the `seaworthy check` pipeline on a tree:
//! walk → index → facts → apps → the apps' code read ahead (word masks) →
//! rules (one rule at a time, then all in parallel as the binary runs
//! them), then the cost of reading and tokenizing the JS/TS sources of the
//! apps. `SEAWORTHY_TIMINGS=1 seaworthy check` gives the binary's own phase
//! times; this tool splits them further.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use seaworthy::apps;
use seaworthy::facts::{code, text, Facts};
use seaworthy::index::{FileKind, Index};
use seaworthy::rules::{self, AppContext, Check, RepoContext};
use seaworthy::walk;

fn ms(d: Duration) -> String {
    format!("{:8.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let max = text::DEFAULT_MAX_FILE_SIZE;
    let total = Instant::now();

    let t = Instant::now();
    let walked = walk::walk(&root);
    let n = walked.files.len();
    println!("walk                 {}  ({n} files)", ms(t.elapsed()));

    let t = Instant::now();
    let index = Index::build(&root, walked.files);
    println!("index                {}", ms(t.elapsed()));

    let t = Instant::now();
    let facts = Facts::new(&index, max);
    println!("facts (slots)        {}", ms(t.elapsed()));

    let t = Instant::now();
    let found = apps::discover(&facts);
    println!("apps                 {}  ({} apps)", ms(t.elapsed()), found.len());

    // As the binary does before the rules: every app's code, read once.
    let repo = RepoContext::new(&facts, &found);
    let t = Instant::now();
    let contexts: Vec<AppContext> = found.iter().map(|app| AppContext::new(&repo, app)).collect();
    rules::read_app_code_ahead(&repo, &contexts);
    rules::parse_operations_ahead(&repo);
    println!("app code read ahead  {}", ms(t.elapsed()));

    // One rule at a time, single-threaded: a file's parse is charged to the
    // first rule that asks for it.
    let mut findings = 0;
    for rule in rules::ALL {
        let t = Instant::now();
        let count: usize = match rule.check {
            Check::Repo(check) => check(&repo).len(),
            Check::App(check) => contexts.iter().map(|cx| check(cx).len()).sum(),
            Check::Meta => 0,
        };
        findings += count;
        println!("rule {:<28}{}  ({count} findings)", rule.meta.name, ms(t.elapsed()));
    }
    println!("sequential total     {}  ({findings} findings before dedup)", ms(total.elapsed()));

    // The binary's way: walk, then all rules in parallel on fresh facts.
    let t = Instant::now();
    let report = seaworthy::audit::run(&root, &Default::default()).expect("audit");
    println!("audit::run (parallel){}  ({} findings)", ms(t.elapsed()), report.findings.len());

    // What reading and tokenizing the apps' JS/TS costs, file by file.
    let js: Vec<_> = found
        .iter()
        .flat_map(|app| index.ids_under(app.dir()))
        .filter(|id| index.get(*id).kind == Some(FileKind::JsSource))
        .collect();
    let t = Instant::now();
    let bytes: usize = js.par_iter().map(|id| std::fs::read(index.path(*id)).map(|b| b.len()).unwrap_or(0)).sum();
    println!("\nJS/TS files in apps: {} ({:.1} MB)", js.len(), bytes as f64 / 1e6);
    println!("  fs::read, parallel   {}", ms(t.elapsed()));
    let t = Instant::now();
    let texts: Vec<String> = js.iter().filter_map(|id| text::read_text(&index.path(*id), max).ok()).collect();
    println!("  read_text, 1 thread  {}", ms(t.elapsed()));
    let t = Instant::now();
    let tokens: Vec<_> = texts.iter().map(|s| code::tokenize(s, code::Lang::Js)).collect();
    let ntok: usize = tokens.iter().map(Vec::len).sum();
    println!("  tokenize, 1 thread   {}  ({ntok} tokens)", ms(t.elapsed()));
    let t = Instant::now();
    let routes: usize = tokens.iter().map(|tk| code::route_paths(tk, code::Lang::Js).len()).sum();
    println!("  route_paths          {}  ({routes} routes)", ms(t.elapsed()));
    let t = Instant::now();
    drop(tokens);
    println!("  drop tokens          {}", ms(t.elapsed()));
    let t = Instant::now();
    let _: usize = texts.par_iter().map(|s| code::route_paths(&code::tokenize(s, code::Lang::Js), code::Lang::Js).len()).sum();
    println!("  tokenize+routes, par {}", ms(t.elapsed()));
}
