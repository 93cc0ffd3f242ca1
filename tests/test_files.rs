//! Which file counts (issue 9): superseded and duplicate files, equal
//! save times, the operator's `[[files]]` decisions, lock and system files,
//! a missing returns folder, a form filled on another unit's form, a blank
//! form, merged cells. Small rounds built here from the sample units.

mod common;

use tonghop::commands::consolidate::consolidate_round;
use tonghop::diagnostic::Severity;
use tonghop::form::FillValue;
use tonghop::ingest::{ingest_round, Choice, Fate, Silent, SystemFile};
use tonghop::report::Submission;

const A: &str = "CB-VPTU";
const B: &str = "CB-BANTCTU";

fn fate_of<'a>(ingest: &'a tonghop::ingest::Ingest, name: &str) -> &'a Fate {
    &ingest
        .files
        .iter()
        .find(|f| f.file == name)
        .unwrap_or_else(|| panic!("{name} not in the ingest"))
        .fate
}

#[test]
fn a_superseded_files_findings_leave_the_report_and_the_unit_counts() {
    let (dir, round) = common::sample_units_round(&[A], "");
    let mut old = common::clean_fill(&round, A, 1);
    old.cells.insert(
        ("01.01".into(), "t2020".into()),
        FillValue::Text("hai mươi".into()),
    );
    common::write_saved_return(&round, A, Some(&old), "2021-06-10 09:00", "cu.xlsx");
    let new = common::clean_fill(&round, A, 2);
    common::write_saved_return(&round, A, Some(&new), "2021-06-12 09:00", "moi.xlsx");
    let outcome = consolidate_round(dir.path(), None, None).unwrap();
    assert!(
        outcome.findings.iter().all(|f| f.file != "cu.xlsx"),
        "{:#?}",
        outcome.findings
    );
    assert_eq!(outcome.summary.errors, 0, "{:#?}", outcome.findings);
    assert_eq!(outcome.summary.files_superseded, 1);
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(
        fate_of(&ingest, "cu.xlsx"),
        &Fate::Superseded {
            by: "moi.xlsx".into(),
            why: Choice::SavedLater
        }
    );
    assert!(fate_of(&ingest, "cu.xlsx")
        .label()
        .starts_with("bản cũ, không tổng hợp"));
    // The old file is still listed, apart, on "Tệp khác".
    let sheets = common::read_back(&outcome.out.join("tong-hop.xlsx"));
    let status = &sheets.iter().find(|(n, _)| n == "Tệp khác").unwrap().1;
    assert!(status.values().any(|v| v == "cu.xlsx"));
    assert!(status
        .values()
        .any(|v| v.starts_with("bản cũ, không tổng hợp")));
}

#[test]
fn byte_identical_copies_are_one_return_without_an_extra_warning() {
    let (dir, round) = common::sample_units_round(&[A], "");
    let fill = common::clean_fill(&round, A, 1);
    let p = common::write_saved_return(&round, A, Some(&fill), "2021-06-10 09:00", "a.xlsx");
    std::fs::copy(&p, round.returns_dir().join("a (1).xlsx")).unwrap();
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "a.xlsx"), &Fate::Accepted);
    assert_eq!(
        fate_of(&ingest, "a (1).xlsx"),
        &Fate::Duplicate {
            of: "a.xlsx".into()
        }
    );
    let outcome = consolidate_round(dir.path(), None, None).unwrap();
    assert_eq!(outcome.findings, vec![], "no finding for a copy");
    assert_eq!(outcome.summary.files_duplicate, 1);
    assert_eq!(outcome.summary.units_submitted, 1);
    assert!(outcome.summary.text().contains("1 bản trùng"));
}

#[test]
fn equal_save_times_are_decided_by_disk_time_then_name_and_say_so() {
    let (_dir, round) = common::sample_units_round(&[A], "");
    let a = common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 1)),
        "2021-06-10 09:00",
        "a.xlsx",
    );
    let b = common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 2)),
        "2021-06-10 09:00",
        "b.xlsx",
    );
    // a.xlsx modified later on disk: it wins although its name sorts first.
    common::set_mtime(&a, "2021-06-11 08:00");
    common::set_mtime(&b, "2021-06-10 08:00");
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "a.xlsx"), &Fate::Accepted);
    assert_eq!(
        fate_of(&ingest, "b.xlsx"),
        &Fate::Superseded {
            by: "a.xlsx".into(),
            why: Choice::SameTimeLaterOnDisk
        }
    );
    let warned: Vec<_> = ingest.findings().collect();
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert_eq!(warned[0].severity, Severity::CanhBao);
    assert_eq!(warned[0].unit, A);
    assert!(
        warned[0]
            .message
            .contains("cùng thời điểm lưu 10/06/2021 09:00:00")
            && warned[0].message.contains("dùng a.xlsx")
            && warned[0]
                .message
                .contains("thời điểm sửa tệp trên đĩa muộn hơn"),
        "{}",
        warned[0].message
    );
    // Same disk time too: the name decides, and the warning says so.
    common::set_mtime(&a, "2021-06-10 08:00");
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "b.xlsx"), &Fate::Accepted);
    assert_eq!(
        fate_of(&ingest, "a.xlsx"),
        &Fate::Superseded {
            by: "b.xlsx".into(),
            why: Choice::SameTimeNameAfter
        }
    );
    let warned: Vec<_> = ingest.findings().collect();
    assert!(warned[0].message.contains("theo tên tệp"), "{warned:#?}");
}

#[test]
fn the_operator_chooses_or_excludes_a_file_and_records_when_it_was_received() {
    let (_dir, round) = common::sample_units_round(
        &[A, B],
        r#"
[[files]]
file = "a.xlsx"
use = true
received = "18/6/2021"
note = "nhận qua Zalo"

[[files]]
file = "thu-muc/b-nhap.xlsx"
exclude = true
note = "bản nháp"

[[files]]
file = "khong-co.xlsx"
exclude = true
"#,
    );
    // a.xlsx is older, saved after the deadline, but received on time.
    common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 1)),
        "2021-06-25 09:00",
        "a.xlsx",
    );
    common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 2)),
        "2021-06-26 09:00",
        "a-sau.xlsx",
    );
    let mut draft = common::clean_fill(&round, B, 3);
    draft.cells.insert(
        ("01.01".into(), "t2020".into()),
        FillValue::Text("??".into()),
    );
    common::write_saved_return(
        &round,
        B,
        Some(&draft),
        "2021-06-12 09:00",
        "thu-muc/b-nhap.xlsx",
    );
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "a.xlsx"), &Fate::Accepted);
    assert_eq!(
        fate_of(&ingest, "a-sau.xlsx"),
        &Fate::Superseded {
            by: "a.xlsx".into(),
            why: Choice::Operator
        }
    );
    assert_eq!(
        fate_of(&ingest, "thu-muc/b-nhap.xlsx"),
        &Fate::Excluded {
            note: "bản nháp".into()
        }
    );
    let findings: Vec<_> = ingest.findings().collect();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].file, "tonghop.toml");
    assert!(findings[0].message.contains("khong-co.xlsx"));
    let status = tonghop::report::statuses(&round, &ingest, &[]);
    let a = status.iter().find(|s| s.unit.code == A).unwrap();
    assert_eq!(a.state, Submission::Submitted);
    assert!(!a.late, "received 18/6, before the deadline 20/6");
    assert_eq!(a.when(), "18/06/2021");
    assert_eq!(a.when_source(), "ngày nhận ghi trong tonghop.toml");
    assert_eq!(a.timeliness(), "Đúng hạn");
    let b = status.iter().find(|s| s.unit.code == B).unwrap();
    assert_eq!(b.state, Submission::Missing);

    // Received late although saved on time.
    let (_dir, round) = common::sample_units_round(
        &[A],
        "[[files]]\nfile = \"a.xlsx\"\nreceived = \"2021-06-22\"\n",
    );
    common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 1)),
        "2021-06-15 09:00",
        "a.xlsx",
    );
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    let status = tonghop::report::statuses(&round, &ingest, &[]);
    assert!(status[0].late);
    assert_eq!(status[0].timeliness(), "Trễ hạn");
}

#[test]
fn file_settings_naming_an_unknown_unit_or_both_use_and_exclude_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::samples().join("don-vi.csv"),
        dir.path().join("don-vi.csv"),
    )
    .unwrap();
    let settings = std::fs::read_to_string(common::samples().join("tonghop.toml")).unwrap();
    std::fs::write(
        dir.path().join("tonghop.toml"),
        format!("{settings}\n[[files]]\nfile = \"x.xlsx\"\nunit = \"KHONG-CO\"\nuse = true\nexclude = true\n"),
    )
    .unwrap();
    let err = tonghop::round::Round::load(dir.path(), None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("đơn vị \"KHONG-CO\" không có trong danh sách")
            && err.contains("không thể vừa dùng (use = true) vừa loại (exclude = true)"),
        "{err}"
    );
    // Each problem at the line of its [[files]] entry.
    let line = settings.lines().count() + 2;
    assert!(
        err.contains(&format!(
            "dòng {line}, cột 1: mục [[files]] thứ 1 (tệp \"x.xlsx\"): đơn vị \"KHONG-CO\""
        )),
        "{err}"
    );
}

#[test]
fn lock_and_system_files_are_listed_as_ignored_and_never_change_the_exit_status() {
    let (dir, round) = common::sample_units_round(&[A], "");
    common::write_saved_return(
        &round,
        A,
        Some(&common::clean_fill(&round, A, 1)),
        "2021-06-10 09:00",
        "a.xlsx",
    );
    let junk = [
        ("~$a.xlsx", SystemFile::OfficeLock),
        (".~lock.a.xlsx#", SystemFile::LibreOfficeLock),
        ("desktop.ini", SystemFile::DesktopIni),
        ("con/Thumbs.db", SystemFile::Thumbs),
        (".DS_Store", SystemFile::DsStore),
        ("._a.xlsx", SystemFile::AppleDouble),
    ];
    for (name, _) in junk {
        let p = round.returns_dir().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"\x00\x01 not a workbook, a lock file").unwrap();
    }
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    for (name, kind) in junk {
        assert_eq!(fate_of(&ingest, name), &Fate::Ignored { kind }, "{name}");
    }
    assert_eq!(ingest.findings().count(), 0);
    let d = dir.path().to_str().unwrap();
    assert_eq!(common::run_cli(&["consolidate", d, "-q"]), Ok(0));
    let out = consolidate_round(dir.path(), None, None)
        .unwrap()
        .summary
        .text();
    assert!(
        out.contains("1 đã đọc, 0 không tổng hợp được")
            && out.contains("6 tệp khóa, tệp hệ thống bỏ qua"),
        "{out}"
    );
    let sheets = common::read_back(&dir.path().join("ket-qua/tong-hop.xlsx"));
    let status = &sheets.iter().find(|(n, _)| n == "Tệp khác").unwrap().1;
    for (name, kind) in junk {
        assert!(status.values().any(|v| v == name), "{name}");
        assert!(
            status
                .values()
                .any(|v| v == &format!("bỏ qua: {kind}, không phải báo cáo")),
            "{kind}"
        );
    }
}

#[test]
fn a_missing_returns_folder_is_a_failed_run_naming_the_folders_that_exist() {
    let (dir, _round) = common::sample_units_round(&[A], "");
    let toml = dir.path().join("tonghop.toml");
    let text = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("returns = \"bao-cao\"", "returns = \"bao_cao\"");
    std::fs::write(&toml, text).unwrap();
    let err = consolidate_round(dir.path(), None, None)
        .err()
        .expect("a missing returns folder is an error");
    let text = format!("{err:#}");
    assert!(
        text.contains("không có thư mục báo cáo")
            && text.contains("returns = \"bao_cao\"")
            && text.contains("\"bao-cao\""),
        "{text}"
    );
    assert!(
        !dir.path().join("ket-qua").exists(),
        "no outputs of a failed run"
    );
    // main maps a failed run to exit status 2.
    let failed = common::run_cli(&["consolidate", dir.path().to_str().unwrap(), "-q"]);
    let stderr = failed.expect_err("a failed run, exit status 2");
    assert!(
        stderr.contains("bao_cao") && stderr.contains("\"bao-cao\""),
        "{stderr}"
    );
}

/// B's figures typed on A's form (forwarded by mistake): the hidden sheet
/// says A, the header was retyped with B's name.
fn forwarded_form(round: &tonghop::round::Round, name: &str) {
    let path = common::write_saved_return(
        round,
        B,
        Some(&common::clean_fill(round, B, 7)),
        "2021-06-14 09:00",
        name,
    );
    common::edit_xlsx(&path, |_, text| {
        text.replace(&format!(">{B}<"), &format!(">{A}<"))
    });
}

#[test]
fn a_form_whose_hidden_sheet_and_header_name_different_units_counts_for_neither() {
    let (dir, round) = common::sample_units_round(&[A, B], "");
    let fill_a = common::clean_fill(&round, A, 1);
    common::write_saved_return(&round, A, Some(&fill_a), "2021-06-10 09:00", "a.xlsx");
    forwarded_form(&round, "chuyen-tiep.xlsx");
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(
        fate_of(&ingest, "a.xlsx"),
        &Fate::Accepted,
        "A's own return stays"
    );
    assert_eq!(
        fate_of(&ingest, "chuyen-tiep.xlsx"),
        &Fate::UnitConflict {
            hidden: A.into(),
            header: B.into()
        }
    );
    let outcome = consolidate_round(dir.path(), None, None).unwrap();
    let f: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.file == "chuyen-tiep.xlsx")
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Loi);
    let (a, b) = (round.unit(A).unwrap(), round.unit(B).unwrap());
    assert!(
        f[0].message.contains(&a.name)
            && f[0].message.contains(&b.name)
            && f[0].message.contains("unit = \"CB-BANTCTU\""),
        "{}",
        f[0].message
    );
    assert_eq!(outcome.summary.units_submitted, 1);
    assert!(outcome.summary.units_missing.iter().any(|u| u.contains(B)));
    // The operator decides: it is B's return.
    let toml = dir.path().join("tonghop.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[[files]]\nfile = \"chuyen-tiep.xlsx\"\nunit = \"CB-BANTCTU\"\n");
    std::fs::write(&toml, text).unwrap();
    let round = tonghop::round::Round::load(dir.path(), None).unwrap();
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "a.xlsx"), &Fate::Accepted);
    let r = ingest
        .files
        .iter()
        .find(|f| f.file == "chuyen-tiep.xlsx")
        .unwrap();
    assert_eq!((&r.fate, r.unit.as_deref()), (&Fate::Accepted, Some(B)));
    let status = tonghop::report::statuses(&round, &ingest, &[]);
    assert!(status.iter().all(|s| s.state == Submission::Submitted));
}

#[test]
fn a_blank_form_sent_back_is_not_a_submission() {
    let (dir, round) = common::sample_units_round(&[A, B], "");
    common::write_saved_return(&round, A, None, "2021-06-10 09:00", "a-trong.xlsx");
    common::write_saved_return(
        &round,
        B,
        Some(&common::clean_fill(&round, B, 1)),
        "2021-06-10 09:00",
        "b.xlsx",
    );
    // B also sends a blank form later: its filled return stays.
    common::write_saved_return(&round, B, None, "2021-06-12 09:00", "b-trong.xlsx");
    let outcome = consolidate_round(dir.path(), None, None).unwrap();
    assert_eq!(outcome.summary.units_submitted, 1);
    assert_eq!(outcome.summary.units_blank.len(), 1);
    assert!(outcome.summary.units_blank[0].contains(A));
    let errors: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Loi)
        .collect();
    assert_eq!(errors.len(), 1, "one lỗi for the blank form: {errors:#?}");
    assert_eq!(errors[0].unit, A);
    assert!(
        errors[0].message.contains("còn trống"),
        "{}",
        errors[0].message
    );
    assert!(outcome.summary.text().contains("1 nộp biểu trống"));
    let sheets = common::read_back(&outcome.out.join("tong-hop.xlsx"));
    let status = &sheets.iter().find(|(n, _)| n == "Tình hình nộp").unwrap().1;
    let row = status
        .iter()
        .find(|(_, v)| *v == A)
        .map(|((r, _), _)| *r)
        .unwrap();
    assert_eq!(
        status.get(&(row, 4)).map(String::as_str),
        Some("Nộp biểu trống")
    );
    assert!(
        status.get(&(row, 8)).is_none_or(|v| v.is_empty()),
        "no đúng hạn for a blank form"
    );
}

#[test]
fn merged_cells_over_empty_inputs_are_a_warning_and_over_a_value_an_error() {
    let (_dir, round) = common::sample_units_round(&[A], "");
    let mut fill = common::clean_fill(&round, A, 1);
    // 02.01 left blank, then E..I of its row merged: nothing is lost.
    fill.cells.retain(|(code, _), _| code != "02.01");
    // 02.02: a value in E, F blank, then E:F merged: which column is it?
    fill.cells
        .remove(&("02.02".to_string(), "n2017".to_string()));
    let group = round.catalog.group("B02").unwrap();
    let rows = tonghop::form::indicator_rows(&round.catalog, group);
    let r_empty = rows["02.01"] + 1;
    let r_value = rows["02.02"] + 1;
    assert!(fill
        .cells
        .contains_key(&("02.02".to_string(), "n2016".to_string())));
    let path = common::write_saved_return(&round, A, Some(&fill), "2021-06-10 09:00", "a.xlsx");
    let part = common::sheet_part(&path, &group.sheet);
    common::edit_xlsx(&path, |name, text| {
        if name != part {
            return text;
        }
        let merges = format!(
            "<mergeCell ref=\"E{r_empty}:I{r_empty}\"/><mergeCell ref=\"E{r_value}:F{r_value}\"/>"
        );
        let i = text.find("<mergeCells").expect("the header has merges");
        let j = i + text[i..].find('>').unwrap() + 1;
        format!("{}{merges}{}", &text[..j], &text[j..])
    });
    let r = tonghop::ingest::read_file(&path, "a.xlsx", &round);
    assert_eq!(r.fate, Fate::Accepted);
    let merged: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.found.starts_with("ô gộp"))
        .collect();
    assert_eq!(merged.len(), 2, "{merged:#?}");
    let empty = merged
        .iter()
        .find(|f| f.cell_text() == format!("E{r_empty}:I{r_empty}"))
        .unwrap();
    assert_eq!(empty.severity, Severity::CanhBao, "{}", empty.message);
    assert!(empty.message.contains("không mất số liệu nào"));
    let value = merged
        .iter()
        .find(|f| f.cell_text() == format!("E{r_value}:F{r_value}"))
        .unwrap();
    assert_eq!(value.severity, Severity::Loi, "{}", value.message);
    assert!(value.message.contains("không rõ thuộc cột nào"));
}

/// A corrected return whose hidden sheet writes the unit code in another
/// case or with an invisible character is still the unit's newer return:
/// never refused as an unknown unit while the older return is summed.
#[test]
fn a_unit_code_written_in_another_case_is_the_units_return() {
    let (_dir, round) = common::sample_units_round(&[A], "");
    let old = common::clean_fill(&round, A, 1);
    common::write_saved_return(&round, A, Some(&old), "2021-06-10 09:00", "cu.xlsx");
    let new = common::clean_fill(&round, A, 2);
    let path = common::write_saved_return(&round, A, Some(&new), "2021-06-12 09:00", "sua.xlsx");
    common::edit_xlsx(&path, |part, text| {
        if part == "xl/sharedStrings.xml" {
            text.replace(
                &format!(">{A}<"),
                &format!(">{}\u{200b}<", A.to_lowercase()),
            )
        } else {
            text
        }
    });
    let meta = common::read_back(&path)
        .into_iter()
        .find(|(n, _)| n == "_tonghop")
        .unwrap()
        .1;
    assert!(meta.values().any(|v| v == "cb-vptu\u{200b}"), "{meta:?}");
    let ingest = ingest_round(&round, &[], &Silent).unwrap();
    assert_eq!(fate_of(&ingest, "sua.xlsx"), &Fate::Accepted);
    let file = ingest.files.iter().find(|f| f.file == "sua.xlsx").unwrap();
    assert_eq!(file.unit.as_deref(), Some(A));
    assert!(matches!(
        fate_of(&ingest, "cu.xlsx"),
        Fate::Superseded { by, .. } if by == "sua.xlsx"
    ));
}
