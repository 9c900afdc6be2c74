//! compose-database-without-volume: a named volume `<service>-data` at the
//! image's real data directory (PostgreSQL's `VOLUME`, which moved to
//! `/var/lib/postgresql` in 18; `PGDATA` when the file sets it), under the
//! service's `volumes:` and the top-level `volumes:`.
//!
//! Unsafe: a database already running keeps its rows in an anonymous
//! volume; the new named volume starts empty until the data is copied.
//! Only a service with no mount near its data is fixed: a mount above the
//! image's `VOLUME` needs its data moved, by hand.

use crate::facts::compose::ComposeFile;
use crate::finding::Finding;
use crate::rules::containerization::compose_files;
use crate::rules::RepoContext;

use super::lines::{indent, value_after_key, LineEdits, Text};
use super::{cited_text, compose_anchors, relocated};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "compose file")?;
    let lines = relocated(b, finding, &path, &text, compose_anchors);
    let (after, volume, target) = fix_text(&text, &lines)?;
    b.modify(&path, after);
    b.manual(format!(
        "If the database already runs, its data is in an anonymous volume: dump it (or copy the folder) before `docker compose up` recreates the container on the empty `{volume}` volume at {target}, then restore it."
    ));
    Ok(())
}

/// The compose text with the volume; (text, volume name, mount target).
pub fn fix_text(text: &str, cited: &[u32]) -> Result<(String, String, String), String> {
    let compose = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let service = compose
        .services
        .iter()
        .find(|s| cited.contains(&s.line))
        .ok_or_else(|| "the cited service is not in the file any more".to_string())?;
    let mut db = compose_files::database_of(service)
        .ok_or_else(|| format!("`{}` is not a database image any more", service.name))?;
    if let Some(dir) = db
        .data_env
        .and_then(|var| service.details.env(var))
        .filter(|v| v.starts_with('/') && !v.contains('$'))
    {
        db.data_dir = dir.trim_end_matches('/').to_string();
        db.data_dir_uncertain = false;
    }
    if db.data_dir_uncertain {
        return Err(format!(
            "the data directory of `{}` depends on its version, which the tag does not say: mount a volume by hand",
            service.image.as_deref().unwrap_or_default()
        ));
    }
    if !service.details.volumes.is_empty() {
        return Err(format!(
            "`{}` mounts volumes already, none at {}: move its data by hand",
            service.name, db.data_dir
        ));
    }
    let target = if db.engine == "PostgreSQL" {
        db.image_volume.clone().unwrap_or(db.data_dir.clone())
    } else {
        db.data_dir.clone()
    };
    let volume = format!("{}-data", service.name);
    let lines = Text::new(text);
    let top_volumes = (1..=lines.len()).find(|n| {
        lines
            .line(*n)
            .is_some_and(|l| indent(l) == 0 && value_after_key(l, "volumes").is_some())
    });
    if text.contains(&format!("{volume}:")) {
        return Err(format!("a volume named `{volume}` exists already"));
    }
    let child = lines
        .child_indent(service.line)
        .ok_or_else(|| format!("service `{}` is written in flow style", service.name))?;
    let step = child - indent(lines.line(service.line).unwrap_or_default());
    let mut edits = LineEdits::default();
    edits.insert_after(
        lines.block_end(service.line),
        vec![
            format!("{}volumes:", " ".repeat(child)),
            format!("{}- {volume}:{target}", " ".repeat(child + step)),
        ],
    );
    match top_volumes {
        Some(n) => {
            let l = lines.line(n).unwrap_or_default();
            if value_after_key(l, "volumes") != Some("") {
                return Err("the top-level `volumes:` is written in flow style".to_string());
            }
            let pad = lines.child_indent(n).unwrap_or(step);
            edits.insert_after(
                lines.block_end(n),
                vec![format!("{}{volume}:", " ".repeat(pad))],
            );
        }
        None => {
            let last = (1..=lines.len())
                .rev()
                .find(|n| lines.line(*n).is_some_and(|l| !l.trim().is_empty()))
                .unwrap_or(1);
            edits.insert_after(
                last,
                vec![
                    String::new(),
                    "volumes:".to_string(),
                    format!("{}{volume}:", " ".repeat(step)),
                ],
            );
        }
    }
    Ok((edits.apply(text), volume, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_volume_at_the_real_data_directory() {
        let text = "services:\n  db:\n    image: postgres:18\n    environment:\n      POSTGRES_PASSWORD: ${PW:?}\n  # the app\n  web:\n    build: .\n";
        let (out, volume, target) = fix_text(text, &[2]).expect("fixed");
        assert_eq!(volume, "db-data");
        assert_eq!(target, "/var/lib/postgresql");
        assert_eq!(
            out,
            "services:\n  db:\n    image: postgres:18\n    environment:\n      POSTGRES_PASSWORD: ${PW:?}\n    volumes:\n      - db-data:/var/lib/postgresql\n  # the app\n  web:\n    build: .\n\nvolumes:\n  db-data:\n"
        );
        let text = "services:\n  mongo:\n    image: mongo:7\nvolumes:\n  other:\n";
        let (out, _, target) = fix_text(text, &[2]).expect("fixed");
        assert_eq!(target, "/data/db");
        assert!(
            out.ends_with("volumes:\n  other:\n  mongo-data:\n"),
            "{out}"
        );
        assert!(
            fix_text(&out, &[2]).is_err(),
            "a second time: it has a volume"
        );
    }
}
