//! Stray cells far outside the form in an .ods: calamine builds every .ods
//! sheet as a dense range when it opens the file, so one value in the last
//! cell of a sheet (a space typed at XFD1048576, kept by a LibreOffice
//! re-save) made it give up on the whole workbook, while the same return as
//! an .xlsx, read cell by cell (see [`super::grid`]), was accepted. Here
//! `content.xml` is walked once to find where every non-empty cell is; when
//! a sheet's cells would need a dense range larger than
//! [`super::sniff::MAX_DENSE_CELLS`], the cells beyond it (by rows, as the
//! form is at the top) are replaced by empty cells before calamine reads
//! the file. A file without such cells is read unchanged.

use std::collections::HashSet;
use std::io::{Cursor, Read, Write};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

use super::sniff::MAX_DENSE_CELLS;

/// A non-empty cell of `content.xml`: its position in document order
/// among all cell elements, its sheet, last row and column span.
struct Seen {
    ordinal: usize,
    table: usize,
    row: u64,
    col_first: u64,
    col_last: u64,
}

fn repeat(e: &BytesStart, key: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn has_value(e: &BytesStart) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(
            a.key.as_ref(),
            "office:value-type" | "table:formula" | "calcext:value-type"
        )
    })
}

fn is_cell(name: &str) -> bool {
    name == "table:table-cell" || name == "table:covered-table-cell"
}

fn broken() -> String {
    "tệp .ods có nội dung XML hỏng (content.xml): hãy mở bằng LibreOffice, lưu lại rồi gửi."
        .to_string()
}

/// The workbook with the cells far outside each sheet's form emptied, and
/// how many were emptied; the bytes unchanged when there are none.
///
/// # Errors
/// A Vietnamese reason when the zip or `content.xml` cannot be read.
pub fn trim_far_cells(bytes: Vec<u8>) -> Result<(Vec<u8>, usize), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(&bytes))
        .map_err(|e| super::grid::explain("tệp .ods", &e.to_string()))?;
    let mut content = Vec::new();
    let has_content = match archive.by_name("content.xml") {
        Ok(f) => {
            f.take(super::sniff::MAX_UNZIPPED_BYTES)
                .read_to_end(&mut content)
                .map_err(|e| super::grid::explain("tệp .ods", &e.to_string()))?;
            true
        }
        Err(_) => false,
    };
    // content.xml that this walk cannot parse is left to calamine, which
    // gives the reason.
    let far = if has_content {
        far_cells(&content).unwrap_or_default()
    } else {
        HashSet::new()
    };
    if far.is_empty() {
        drop(archive);
        return Ok((bytes, 0));
    }
    let Ok(trimmed) = rewrite(&content, &far) else {
        drop(archive);
        return Ok((bytes, 0));
    };
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| broken())?;
        if entry.name().is_ok_and(|n| n == "content.xml") {
            drop(entry);
            out.start_file(
                "content.xml",
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated),
            )
            .map_err(|_| broken())?;
            out.write_all(&trimmed).map_err(|_| broken())?;
        } else {
            out.raw_copy_file(entry).map_err(|_| broken())?;
        }
    }
    let bytes = out.finish().map_err(|_| broken())?.into_inner();
    Ok((bytes, far.len()))
}

/// Ordinals of the cell elements to empty.
fn far_cells(content: &[u8]) -> Result<HashSet<usize>, String> {
    let mut reader = Reader::from_reader(content);
    let (mut table, mut row, mut col, mut ordinal) = (0usize, 0u64, 0u64, 0usize);
    let mut row_repeat = 1u64;
    let mut seen: Vec<Seen> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|_| broken())?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(row_repeat);
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                table += 1;
                row = 0;
            }
            "table:table-row" => {
                row_repeat = repeat(e, "table:number-rows-repeated");
                col = 0;
                if empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            name if is_cell(name) => {
                let n = repeat(e, "table:number-columns-repeated");
                if has_value(e) {
                    seen.push(Seen {
                        ordinal,
                        table,
                        row: row.saturating_add(row_repeat - 1),
                        col_first: col,
                        col_last: col.saturating_add(n - 1),
                    });
                }
                ordinal += 1;
                col = col.saturating_add(n);
            }
            _ => {}
        }
    }
    let mut far = HashSet::new();
    let mut tables: Vec<usize> = seen.iter().map(|s| s.table).collect();
    tables.dedup();
    for t in tables {
        let mut cells: Vec<&Seen> = seen.iter().filter(|s| s.table == t).collect();
        cells.sort_by_key(|s| s.row);
        let (r0, mut c0, mut c1) = (cells[0].row, u64::MAX, 0u64);
        let mut cut = None;
        for s in &cells {
            c0 = c0.min(s.col_first);
            c1 = c1.max(s.col_last);
            let dense = (s.row - r0 + 1).saturating_mul(c1 - c0 + 1);
            if dense > MAX_DENSE_CELLS {
                cut = Some(s.row);
                break;
            }
        }
        if let Some(cut) = cut {
            far.extend(cells.iter().filter(|s| s.row >= cut).map(|s| s.ordinal));
        }
    }
    Ok(far)
}

/// `content.xml` with the cell elements of `far` replaced by empty cells
/// spanning the same columns.
fn rewrite(content: &[u8], far: &HashSet<usize>) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_reader(content);
    let mut writer = Writer::new(Vec::with_capacity(content.len()));
    let mut ordinal = 0usize;
    let mut skipping = 0usize;
    loop {
        let event = reader.read_event().map_err(|_| broken())?;
        if skipping > 0 {
            match &event {
                Event::Start(e) if is_cell(e.name().as_ref()) => skipping += 1,
                Event::End(e) if is_cell(e.name().as_ref()) => skipping -= 1,
                Event::Eof => return Err(broken()),
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if is_cell(e.name().as_ref()) => {
                let this = ordinal;
                ordinal += 1;
                if far.contains(&this) {
                    let n = repeat(e, "table:number-columns-repeated");
                    let mut blank = BytesStart::new("table:table-cell");
                    if n > 1 {
                        blank.push_attribute((
                            "table:number-columns-repeated",
                            n.to_string().as_str(),
                        ));
                    }
                    writer
                        .write_event(Event::Empty(blank))
                        .map_err(|_| broken())?;
                    if matches!(event, Event::Start(_)) {
                        skipping = 1;
                    }
                    continue;
                }
            }
            _ => {}
        }
        writer.write_event(event).map_err(|_| broken())?;
    }
    Ok(writer.into_inner())
}
