//! Helpers shared by the integration tests: an independent reader of the
//! form contract (FORMAT.md) written with calamine only.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};

pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// Every sheet of a workbook as (name, cells "A1" → text).
/// Cells of one sheet: (row, column) → text.
pub type SheetCells = BTreeMap<(u32, u32), String>;

pub fn read_back(path: &Path) -> Vec<(String, SheetCells)> {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).unwrap();
            let mut cells = BTreeMap::new();
            for (r, c, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap();
                let text = match v {
                    Data::Empty => continue,
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                };
                cells.insert((r0 + r as u32, c0 + c as u32), text);
            }
            (n, cells)
        })
        .collect()
}

/// Input values of a return read through the contract: (mã số, column
/// number) → cell text, plus where the "Mã số" column is.
pub fn contract_values(cells: &BTreeMap<(u32, u32), String>) -> BTreeMap<(String, usize), String> {
    let mut out = BTreeMap::new();
    let Some((&(hr, code_col), _)) = cells.iter().find(|(_, v)| v.trim() == "Mã số") else {
        return out;
    };
    let number_row = hr + 1;
    let numbers: BTreeMap<u32, usize> = cells
        .iter()
        .filter(|((r, _), v)| *r == number_row && v.starts_with('('))
        .filter_map(|((_, c), v)| v[1..].split(')').next()?.parse().ok().map(|n| (*c, n)))
        .collect();
    for ((r, c), v) in cells {
        if *r <= number_row || *c != code_col {
            continue;
        }
        for (col, n) in &numbers {
            if let Some(x) = cells.get(&(*r, *col)) {
                out.insert((v.clone(), *n), x.clone());
            }
        }
    }
    out
}

/// Parse a typed number the simple way: "1.234" / "1 234" → 1234,
/// "12,5" → 12.5, "25 người" → 25.
pub fn loose_number(s: &str) -> Option<f64> {
    let thousands = s.split('.').count() > 1
        && s.split('.')
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if thousands {
        return s.replace('.', "").parse().ok();
    }
    if let Ok(v) = s.parse::<f64>() {
        return Some(v);
    }
    let kept: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '-')
        .collect();
    kept.replace(',', ".").parse().ok()
}

/// A small round in a temporary folder: the sample round's settings, a
/// units list of `units` (mã, tên, loại, khối) and an empty `bao-cao/`.
pub fn small_round(units: &[(&str, &str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        samples().join("tonghop.toml"),
        dir.path().join("tonghop.toml"),
    )
    .unwrap();
    let mut csv = String::from("Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\n");
    for (code, name, kind, block) in units {
        csv.push_str(&format!(
            "{code},{name},\"{kind}\",\"{block}\",Đảng bộ thành phố Lai Châu\n"
        ));
    }
    std::fs::write(dir.path().join("don-vi.csv"), csv).unwrap();
    std::fs::create_dir_all(dir.path().join("bao-cao")).unwrap();
    dir
}

/// Write the return of `unit` into the round's `bao-cao/` as `file`, the
/// unit's own form filled with `values` ((mã số, column key) → number).
pub fn write_return(round_dir: &Path, unit: &str, file: &str, values: &[(&str, &str, f64)]) {
    use tonghop::form::{Fill, FillValue};
    let mut fill = Fill::default();
    for (code, key, v) in values {
        fill.cells
            .insert((code.to_string(), key.to_string()), FillValue::Number(*v));
    }
    write_fill(round_dir, unit, file, &fill);
}

/// Write the return of `unit` into the round's `bao-cao/` as `file`, the
/// unit's own form filled with `fill`.
pub fn write_fill(round_dir: &Path, unit: &str, file: &str, fill: &tonghop::form::Fill) {
    use tonghop::form::{build_form, FormSpec, FormUnit};
    let round = tonghop::round::Round::load(round_dir, None).unwrap();
    let u = round.unit(unit).unwrap();
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(u),
        fill: Some(fill),
        deadline_note: None,
        saved_at: round.settings.deadline.and_hms_opt(9, 0, 0).unwrap(),
    };
    let mut wb = build_form(&spec).unwrap();
    wb.save(round_dir.join("bao-cao").join(file)).unwrap();
}

/// The cell notes of sheet `sheet` of an .xlsx: A1 address → text.
pub fn notes(path: &Path, sheet: &str) -> BTreeMap<String, String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = |name: &str| -> Option<String> {
        let mut s = String::new();
        zip.by_name(name).ok()?.read_to_string(&mut s).ok()?;
        Some(s)
    };
    let workbook = text("xl/workbook.xml").unwrap();
    let rels = text("xl/_rels/workbook.xml.rels").unwrap();
    let escaped = sheet.replace('&', "&amp;");
    let rid = attr_after(&workbook, &format!("name=\"{escaped}\""), "r:id=\"").unwrap();
    let target = attr_after(&rels, &format!("Id=\"{rid}\""), "Target=\"").unwrap();
    let sheet_file = target.trim_start_matches("/xl/").to_string();
    let (folder, name) = sheet_file.rsplit_once('/').unwrap();
    let Some(sheet_rels) = text(&format!("xl/{folder}/_rels/{name}.rels")) else {
        return BTreeMap::new();
    };
    let Some(comments) = sheet_rels
        .split("<Relationship ")
        .find(|r| r.contains("/comments\""))
        .and_then(|r| attr_after(r, "", "Target=\""))
    else {
        return BTreeMap::new();
    };
    let comments = comments.replace("../", "");
    let xml = text(&format!("xl/{comments}")).unwrap();
    let mut out = BTreeMap::new();
    let t = regex::Regex::new(r"<t(?: [^>]*)?>([^<]*)</t>").unwrap();
    for part in xml.split("<comment ").skip(1) {
        let cell = attr_after(part, "", "ref=\"").unwrap();
        let body: String = t.captures_iter(part).map(|c| c[1].to_string()).collect();
        out.insert(cell, unescape(&body));
    }
    out
}

fn attr_after(xml: &str, anchor: &str, attr: &str) -> Option<String> {
    let at = xml.find(anchor)?;
    let rest = &xml[at..];
    let start = rest.find(attr)? + attr.len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_string())
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The cell of `sheet` whose text is `text` in column `col` (0-based):
/// its row.
pub fn row_of(cells: &SheetCells, col: u32, text: &str) -> Option<u32> {
    cells
        .iter()
        .find(|((_, c), v)| *c == col && v.as_str() == text)
        .map(|((r, _), _)| *r)
}

/// A small round in a temporary folder: the sample settings with `extra`
/// added to tonghop.toml (tables such as `[[files]]` at the end, plain
/// keys before the `[cap_tren]` section), the sample units whose codes are
/// given, and an empty returns folder `bao-cao`.
pub fn sample_units_round(
    codes: &[&str],
    extra: &str,
) -> (tempfile::TempDir, tonghop::round::Round) {
    let dir = tempfile::tempdir().unwrap();
    let settings = std::fs::read_to_string(samples().join("tonghop.toml")).unwrap();
    let settings = if extra.trim_start().starts_with('[') {
        format!("{settings}\n{extra}\n")
    } else {
        settings.replacen("\n[cap_tren]", &format!("\n{extra}\n[cap_tren]"), 1)
    };
    std::fs::write(dir.path().join("tonghop.toml"), settings).unwrap();
    let units = std::fs::read_to_string(samples().join("don-vi.csv")).unwrap();
    let mut lines = units.lines();
    let mut csv = format!("{}\n", lines.next().unwrap());
    for l in lines {
        if codes.iter().any(|c| l.starts_with(&format!("{c},"))) {
            csv.push_str(l);
            csv.push('\n');
        }
    }
    std::fs::write(dir.path().join("don-vi.csv"), csv).unwrap();
    std::fs::create_dir_all(dir.path().join("bao-cao")).unwrap();
    let round = tonghop::round::Round::load(dir.path(), None).unwrap();
    (dir, round)
}

/// Plausible values of a unit (as `tonghop generate` writes them: a clean
/// return).
pub fn clean_fill(round: &tonghop::round::Round, code: &str, seed: u64) -> tonghop::form::Fill {
    let unit = round.unit(code).unwrap();
    let mut rng = tonghop::synthetic::Rng::new(seed);
    tonghop::synthetic::plausible_fill(&round.catalog, unit, &mut rng)
}

/// Write the form of unit `code` filled with `fill` (blank with `None`),
/// saved at `saved` ("2021-06-15 09:00", Việt Nam time), as
/// `bao-cao/<name>`.
pub fn write_saved_return(
    round: &tonghop::round::Round,
    code: &str,
    fill: Option<&tonghop::form::Fill>,
    saved: &str,
    name: &str,
) -> PathBuf {
    use tonghop::form::{build_form, FormSpec, FormUnit};
    let unit = round.unit(code).unwrap();
    let spec = FormSpec {
        catalog: &round.catalog,
        settings: &round.settings,
        unit: FormUnit::Unit(unit),
        fill,
        deadline_note: None,
        saved_at: chrono::NaiveDateTime::parse_from_str(saved, "%Y-%m-%d %H:%M").unwrap(),
    };
    let path = round.returns_dir().join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    build_form(&spec).unwrap().save(&path).unwrap();
    path
}

/// Rewrite the parts of an .xlsx (a zip) through `edit(part name, text)`.
pub fn edit_xlsx(path: &Path, edit: impl Fn(&str, String) -> String) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let data = match String::from_utf8(data) {
            Ok(text) => edit(&name, text).into_bytes(),
            Err(e) => e.into_bytes(),
        };
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

/// The part name of a sheet of an .xlsx written by rust_xlsxwriter
/// (`xl/worksheets/sheetN.xml`, N its position).
pub fn sheet_part(path: &Path, sheet: &str) -> String {
    let wb = open_workbook_auto(path).unwrap();
    let pos = wb.sheet_names().iter().position(|n| n == sheet).unwrap();
    format!("xl/worksheets/sheet{}.xml", pos + 1)
}

/// Run a command line in-process as `main` does: `Ok(exit status)`, or
/// `Err(message chain)` for a failed run (exit status 2). In-process, not
/// the binary: the shared target folder's binary may be another
/// checkout's.
pub fn run_cli(args: &[&str]) -> Result<u8, String> {
    use clap::Parser;
    let cli =
        tonghop::cli::Cli::try_parse_from(std::iter::once("tonghop").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
    tonghop::commands::run(cli).map_err(|e| format!("{e:#}"))
}

/// Set a file's modification time ("2021-06-15 09:00", UTC).
pub fn set_mtime(path: &Path, when: &str) {
    let t = chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::from(t)).unwrap();
}

/// Three units of two khối: two wards (xã, phường) and a chi bộ.
pub const THREE_UNITS: [(&str, &str, &str, &str); 3] = [
    (
        "P-A",
        "Đảng bộ phường A",
        "Đảng bộ xã, phường",
        "Khối xã, phường",
    ),
    (
        "P-B",
        "Đảng bộ phường B",
        "Đảng bộ xã, phường",
        "Khối xã, phường",
    ),
    ("CB-C", "Chi bộ C", "Chi bộ cơ sở", "Khối cơ quan"),
];

/// The level above the sample round (the province): its settings, the
/// city as its one unit, and the city's `gui-cap-tren.xlsx` copied in as
/// its one return.
pub fn upper_round(city_return: &Path) -> tempfile::TempDir {
    let upper = tempfile::tempdir().unwrap();
    let returns = upper.path().join("bao-cao");
    std::fs::create_dir_all(&returns).unwrap();
    std::fs::copy(city_return, returns.join("gui-cap-tren.xlsx")).unwrap();
    std::fs::write(
        upper.path().join("tonghop.toml"),
        std::fs::read_to_string(samples().join("tonghop.toml"))
            .unwrap()
            .replace(
                "round_id = \"241-2021-TPLC\"",
                "round_id = \"241-2021-TINH\"",
            )
            .replace(
                "committee_code = \"TP-LAICHAU\"",
                "committee_code = \"TINH-LAICHAU\"",
            ),
    )
    .unwrap();
    std::fs::write(
        upper.path().join("don-vi.csv"),
        "Mã đơn vị,Tên đơn vị,Loại,Khối,Đơn vị cấp trên\nTP-LAICHAU,Đảng bộ thành phố Lai Châu,Đảng bộ cấp trên cơ sở,Khối huyện,Đảng bộ tỉnh Lai Châu\n",
    )
    .unwrap();
    upper
}
