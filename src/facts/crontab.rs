//! Committed crontabs: each entry's schedule is skipped and its command
//! parsed as shell, on the entry's line.

use super::shell::{ShellCommand, ShellScript};

#[derive(Debug, Default)]
pub struct Crontab {
    /// The commands of every entry, in file order, with the file's lines.
    pub commands: Vec<ShellCommand>,
}

/// Whether a word is a field of a cron schedule (`*/5`, `1-5`, `MON`,
/// `0,30`).
pub(crate) fn is_schedule_field(word: &str) -> bool {
    !word.is_empty()
        && word.split(['-', ',', '/']).all(|part| {
            part == "*"
                || (!part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
                || (part.len() == 3 && part.chars().all(|c| c.is_ascii_alphabetic()))
        })
}

/// Users a system crontab line commonly names before its command.
const SYSTEM_USERS: &[&str] = &["root", "www-data", "postgres", "nobody", "daemon", "mysql"];

impl Crontab {
    /// `system` crontabs (`/etc/crontab`, `cron.d/*`) name a user after the
    /// schedule.
    pub fn parse(text: &str, system: bool) -> Crontab {
        let mut commands = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(first) = words.next() else { continue };
            // `SHELL=/bin/bash`, `MAILTO=…`: the crontab's environment.
            if first.contains('=') && !first.starts_with('@') {
                continue;
            }
            let fields = if first.starts_with('@') {
                1
            } else {
                let schedule = std::iter::once(first)
                    .chain(line.split_whitespace().skip(1).take(4))
                    .filter(|w| is_schedule_field(w))
                    .count();
                if schedule < 5 {
                    continue;
                }
                5
            };
            // A system-format line in a file of another name (a `cronfile`
            // an image copies to `/etc/cron.d/`): a user name between the
            // schedule and the command.
            let user_field = system || {
                let after = line.split_whitespace().nth(fields);
                let next = line.split_whitespace().nth(fields + 1);
                after.is_some_and(|u| SYSTEM_USERS.contains(&u)) && next.is_some()
            };
            let skip = fields + usize::from(user_field);
            // The command is the rest of the line, as written.
            let mut rest = line;
            for _ in 0..skip {
                rest = rest.trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                rest = &rest[end..];
            }
            // `%` ends the command in a crontab (the rest is stdin).
            let command = rest.split('%').next().unwrap_or("").trim();
            if let Ok(script) = ShellScript::parse(command) {
                commands.extend(script.commands.into_iter().map(|mut c| {
                    c.line = i as u32 + 1;
                    c
                }));
            }
        }
        Crontab { commands }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_system_crontabs() {
        let tab = Crontab::parse(
            "SHELL=/bin/bash\n# nightly\n0 2 * * * pg_dump \"$DATABASE_URL\" > /var/backups/db.sql\n@weekly find /var/backups -mtime +30 -delete\n",
            false,
        );
        let names: Vec<(&str, u32)> = tab
            .commands
            .iter()
            .map(|c| (c.name.as_str(), c.line))
            .collect();
        assert_eq!(names, [("pg_dump", 3), ("find", 4)]);
        let system = Crontab::parse(
            "30 3 * * mon-fri postgres pg_dumpall > /srv/dump.sql\n",
            true,
        );
        assert_eq!(system.commands[0].name, "pg_dumpall");
        let copied = Crontab::parse(
            "0 5 * * * root /usr/local/bin/weed.sh -d 14 /backups > /proc/1/fd/1 2>&1\n",
            false,
        );
        assert_eq!(copied.commands[0].name, "weed.sh");
    }
}
