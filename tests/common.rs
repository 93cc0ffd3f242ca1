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

/// A small round in a temporary folder: the sample settings with `extra`
/// added to tonghop.toml (tables such as `[[files]]` at the end, plain
/// keys before the `[cap_tren]` section), the sample units whose codes are
/// given, and an empty returns folder `bao-cao`.
pub fn small_round(codes: &[&str], extra: &str) -> (tempfile::TempDir, tonghop::round::Round) {
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
    let mut rng = tonghop::commands::generate::Rng::new(seed);
    tonghop::commands::generate::plausible_fill(&round.catalog, unit, &mut rng)
}

/// Write the form of unit `code` filled with `fill` (blank with `None`),
/// saved at `saved` ("2021-06-15 09:00", Việt Nam time), as
/// `bao-cao/<name>`.
pub fn write_return(
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
