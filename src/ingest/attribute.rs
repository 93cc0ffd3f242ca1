//! Whose file a rejected file is. A file that could not be read (a
//! password, a form of another round, a damaged file) is still somebody's
//! attempt to report: when its unit is known, the unit is told what to send
//! instead (its feedback workbook, the chase list), and once the unit has
//! sent a readable return saved later, the rejected file is an old copy.
//!
//! The unit comes from, in order: the operator's `[[files]]` entry
//! (`unit = ...`), the hidden sheet's `unit_code` (set while reading), or a
//! file name beginning with the unit's code as `tonghop forms` names forms
//! ("cb-c-chi-bo-c.xlsx").

use chrono::NaiveDateTime;

use super::{Choice, Fate, FileReport, Identified};
use crate::round::{OrgUnit, Round};

/// Attribute rejected files to their unit (and their findings), then mark
/// a rejected file superseded when its unit has an accepted return saved
/// later (save time, then the file system time).
pub(super) fn rejected_files(files: &mut [FileReport], round: &Round) {
    for f in files.iter_mut() {
        if !matches!(f.fate, Fate::Rejected { .. }) {
            continue;
        }
        if f.unit.is_none() {
            let by_choice = f
                .choice
                .as_ref()
                .and_then(|c| c.unit.as_deref())
                .and_then(|c| round.unit(c));
            let (unit, how) = match by_choice {
                Some(u) => (Some(u), Identified::Settings),
                None => (
                    unit_by_file_name(&f.file, &round.units),
                    Identified::FileName,
                ),
            };
            if let Some(u) = unit {
                f.unit = Some(u.code.clone());
                f.identified_by = Some(how);
            }
        }
        let Some(unit) = f.unit.as_deref().and_then(|c| round.unit(c)) else {
            continue;
        };
        for finding in &mut f.findings {
            finding.unit = unit.code.clone();
            finding.unit_name = unit.name.clone();
        }
    }
    let key = |f: &FileReport| (f.saved_at, f.file_time);
    type When = (Option<NaiveDateTime>, Option<NaiveDateTime>);
    let accepted: Vec<(String, String, When)> = files
        .iter()
        .filter(|f| f.fate == Fate::Accepted)
        .filter_map(|f| Some((f.unit.clone()?, f.file.clone(), key(f))))
        .collect();
    for f in files.iter_mut() {
        if !matches!(f.fate, Fate::Rejected { .. }) {
            continue;
        }
        let Some(unit) = f.unit.as_deref() else {
            continue;
        };
        if let Some((_, by, _)) = accepted
            .iter()
            .find(|(u, _, when)| u == unit && *when > key(f))
        {
            f.fate = Fate::Superseded {
                by: by.clone(),
                why: Choice::SavedLater,
            };
        }
    }
}

/// The unit whose code begins the file name, followed by "-" or the end
/// of the name, compared as [`crate::text::slug`]s ("CB-C" in
/// "cb-c-chi-bo-c.xlsx", "CB-C.xlsx"); the longest code wins, so "CB-C"
/// never takes a file of "CB-CA".
fn unit_by_file_name<'u>(file: &str, units: &'u [OrgUnit]) -> Option<&'u OrgUnit> {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem = crate::text::slug(stem);
    units
        .iter()
        .filter(|u| {
            let code = crate::text::slug(&u.code);
            stem == code
                || stem
                    .strip_prefix(&code)
                    .is_some_and(|rest| rest.starts_with('-'))
        })
        .max_by_key(|u| u.code.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str) -> OrgUnit {
        OrgUnit {
            code: code.into(),
            name: format!("Chi bộ {code}"),
            unit_type: "chi_bo_co_so".into(),
            block: "Khối cơ quan".into(),
            parent: String::new(),
            contact: Default::default(),
        }
    }

    #[test]
    fn a_file_name_names_the_unit_whose_whole_code_begins_it() {
        let units = [unit("CB-C"), unit("CB-CA")];
        let of = |f: &str| unit_by_file_name(f, &units).map(|u| u.code.as_str());
        assert_eq!(of("cb-c-chi-bo-c.xlsx"), Some("CB-C"));
        assert_eq!(of("email/CB-CA (mat khau).xlsx"), Some("CB-CA"));
        assert_eq!(of("CB-C.xls"), Some("CB-C"));
        assert_eq!(of("cbc-bao-cao.xlsx"), None);
        assert_eq!(of("bao-cao-cb-c.xlsx"), None);
    }
}
