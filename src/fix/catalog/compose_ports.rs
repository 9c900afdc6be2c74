//! compose-database-port-exposed: bind each published database port the
//! finding cites to the host's loopback (`"127.0.0.1:5432:5432"`). The
//! other services still reach the database by its service name on the
//! compose network; an administrator reaches it through an SSH tunnel.

use crate::facts::compose::{ComposeFile, PortMapping};
use crate::finding::Finding;
use crate::rules::RepoContext;

use super::lines::{indent, strip_comment, value_after_key, LineEdits, Text};
use super::{cited_text, compose_anchors, relocated};
use crate::fix::Builder;

pub fn plan(_repo: &RepoContext, finding: &Finding, b: &mut Builder) -> Result<(), String> {
    let (path, text) = cited_text(b, finding, "compose file")?;
    let after = fix_text(&text, &relocated(b, finding, &path, &text, compose_anchors))?;
    b.modify(&path, after);
    b.manual("To reach the database from your machine, tunnel to it: `ssh -L 5432:127.0.0.1:5432 <host>` (with the port the file publishes).");
    Ok(())
}

pub fn fix_text(text: &str, cited: &[u32]) -> Result<String, String> {
    let compose = ComposeFile::parse(text).map_err(|e| format!("cannot parse: {e}"))?;
    let lines = Text::new(text);
    let mut edits = LineEdits::default();
    let ports: Vec<&PortMapping> = compose
        .services
        .iter()
        .flat_map(|s| s.details.ports.iter())
        .filter(|p| cited.contains(&p.line))
        .collect();
    for port in ports {
        let line = lines.line(port.line).unwrap_or_default();
        let code = strip_comment(line);
        let comment = &line[code.len()..];
        let Some(item) = code.trim_start().strip_prefix('-') else {
            return Err(format!(
                "port `{}` is written in a form seaworthy does not rewrite (flow list): bind it to 127.0.0.1 by hand",
                port.written
            ));
        };
        let item = item.trim();
        if value_after_key(line, "target").is_some()
            || value_after_key(line, "published").is_some()
            || value_after_key(line, "host_ip").is_some()
        {
            // Long syntax: set `host_ip`, next to the entry's first key.
            let pad = " ".repeat(indent(line) + 2);
            let end = lines.block_end(port.line);
            let host_ip_line = (port.line..=end).find(|n| {
                lines
                    .line(*n)
                    .is_some_and(|l| value_after_key(l, "host_ip").is_some())
            });
            match host_ip_line {
                Some(n) => {
                    let l = lines.line(n).unwrap_or_default();
                    let key_at = l.find("host_ip").unwrap_or(0);
                    edits.replace(n, vec![format!("{}host_ip: 127.0.0.1", &l[..key_at])]);
                }
                None => edits.insert_after(port.line, vec![format!("{pad}host_ip: 127.0.0.1")]),
            }
            continue;
        }
        // Short syntax: [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL].
        let published = port.published.as_deref().unwrap_or("");
        let (_, protocol) = item
            .trim_matches(['"', '\''])
            .rsplit_once('/')
            .unwrap_or(("", ""));
        let protocol = if protocol.is_empty() {
            String::new()
        } else {
            format!("/{protocol}")
        };
        let dash_at = line.find('-').unwrap_or(0);
        edits.replace(
            port.line,
            vec![format!(
                "{}- \"127.0.0.1:{published}:{}{protocol}\"{comment}",
                &line[..dash_at],
                port.target
            )],
        );
    }
    if edits.is_empty() {
        return Err("the cited ports are not in the file any more".to_string());
    }
    Ok(edits.apply(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_syntax_bind_to_loopback() {
        let text = "services:\n  db:\n    image: postgres:17\n    ports:\n      - 5432:5432 # psql\n      - \"0.0.0.0:15432:5432\"\n      - 6000\n  mongo:\n    image: mongo:7\n    ports:\n      - target: 27017\n        published: 27017\n";
        let out = fix_text(text, &[5, 6, 7, 11]).expect("fixed");
        assert_eq!(
            out,
            "services:\n  db:\n    image: postgres:17\n    ports:\n      - \"127.0.0.1:5432:5432\" # psql\n      - \"127.0.0.1:15432:5432\"\n      - \"127.0.0.1::6000\"\n  mongo:\n    image: mongo:7\n    ports:\n      - target: 27017\n        host_ip: 127.0.0.1\n        published: 27017\n"
        );
        let parsed = ComposeFile::parse(&out).expect("YAML");
        assert!(parsed
            .services
            .iter()
            .flat_map(|s| &s.details.ports)
            .all(|p| p.host_ip.as_deref() == Some("127.0.0.1")));
    }
}
