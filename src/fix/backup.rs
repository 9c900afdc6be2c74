//! backups-not-offsite: the backup-script generators (written by the backup
//! work; this placeholder plans nothing until it lands).

use super::FixPlan;
use crate::finding::Finding;
use crate::rules::RepoContext;

pub fn plan(_cx: &RepoContext, _finding: &Finding) -> Option<FixPlan> {
    None
}
