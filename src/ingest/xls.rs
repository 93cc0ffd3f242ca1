//! Stray cells far outside the form in an .xls: calamine builds every .xls
//! sheet as a dense range when it opens the file (and reserves room for the
//! range a DIMENSIONS record declares), so one value in the last cell of a
//! sheet (a space typed at IV65536, kept by a LibreOffice re-save) would
//! cost half a gigabyte; such a return was rejected while the same as an
//! .xlsx, read cell by cell (see [`super::grid`]), or as an .ods (see
//! [`super::ods`]) was accepted.
//!
//! Here the "Workbook" (BIFF8) or "Book" (BIFF5) stream is walked the way
//! calamine walks it: from the position every BOUNDSHEET record gives, up to
//! the sheet's EOF, nested substreams (embedded charts) skipped. When a
//! sheet's cells would need a dense range larger than
//! [`super::sniff::MAX_DENSE_CELLS`], the cell records beyond it (by rows,
//! as the form is at the top) are removed, its DIMENSIONS record is set to
//! the cells kept, and the BOUNDSHEET positions of the sheets after it are
//! moved by the bytes removed; the stream is written back into the
//! container (in memory: the unit's file is never modified). A lying
//! DIMENSIONS record alone is corrected the same way.
//!
//! calamine also parses the formula of every FORMULA record and defined
//! name with unchecked slicing (a panic on a damaged token list, found by
//! fuzzing), and tonghop never uses an .xls formula's text (computed cells
//! are recomputed from their inputs): their token counts are set to zero,
//! in place, so calamine reads an empty formula; the cached values stay.
//! A file with no formula, no defined name and no far cell is read
//! unchanged. Memory is bounded by the stream (at most
//! [`MAX_STREAM_BYTES`]) and one row table per sheet, never by a declared
//! extent.
//!
//! The container is read with the `cfb` crate first: calamine's own reader
//! can loop on a cyclic sector chain (found by fuzzing), which `cfb`
//! detects.

use std::collections::HashSet;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use super::sniff::MAX_DENSE_CELLS;

/// Largest stream read from an .xls container.
pub const MAX_STREAM_BYTES: u64 = 64 * 1024 * 1024;

/// Rows of a BIFF8 sheet (row numbers are 16-bit).
const ROWS: usize = 1 << 16;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const CONTINUE: u16 = 0x003C;
const FILEPASS: u16 = 0x002F;
const BOUNDSHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
const FORMULA: u16 = 0x0006;
const STRING: u16 = 0x0207;
const BLANK: u16 = 0x0201;
const MULBLANK: u16 = 0x00BE;
const MULRK: u16 = 0x00BD;
const MERGECELLS: u16 = 0x00E5;
const SST: u16 = 0x00FC;
const LBL: u16 = 0x0018;
const EXTERNSHEET: u16 = 0x0017;
const DATEMODE: u16 = 0x0022;
const CODEPAGE: u16 = 0x0042;

fn broken() -> String {
    "tệp .xls bị hỏng (cấu trúc tệp Office không hợp lệ): hãy mở bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi gửi.".to_string()
}

fn too_far(rows: u64, cols: u64) -> String {
    format!(
        "bảng tính có ô dữ liệu ở rất xa vùng biểu mẫu (dòng {rows}, cột {cols}): hãy xóa các ô thừa ngoài biểu rồi gửi lại."
    )
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// One record as calamine's record iterator sees it: its CONTINUE records
/// belong to it.
struct Record<'a> {
    /// Offset of the record header in the stream.
    start: usize,
    /// Offset after its last CONTINUE record.
    end: usize,
    typ: u16,
    body: &'a [u8],
}

/// Records from `pos`, grouped as calamine groups them; stops where
/// calamine would stop with an error (a truncated record).
struct Records<'a> {
    stream: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        let s = self.stream;
        let start = self.pos;
        if s.len() < start + 4 {
            return None;
        }
        let typ = u16_at(s, start);
        let len = u16_at(s, start + 2) as usize;
        if s.len() < start + 4 + len {
            return None;
        }
        let body = &s[start + 4..start + 4 + len];
        let mut end = start + 4 + len;
        while s.len() > end + 4 && u16_at(s, end) == CONTINUE {
            let l = u16_at(s, end + 2) as usize;
            if s.len() < end + 4 + l {
                self.pos = s.len();
                return None;
            }
            end += 4 + l;
        }
        self.pos = end;
        Some(Record {
            start,
            end,
            typ,
            body,
        })
    }
}

/// The records of the worksheet substream at `pos`, as calamine reads them:
/// nested substreams skipped, up to its EOF.
fn sheet_records(stream: &[u8], pos: usize) -> impl Iterator<Item = Record<'_>> {
    let mut seen_bof = false;
    let mut depth = 0usize;
    let mut done = false;
    Records { stream, pos }.filter_map(move |r| {
        if done {
            return None;
        }
        if depth > 0 {
            match r.typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            return None;
        }
        match r.typ {
            BOF if seen_bof => {
                depth += 1;
                None
            }
            BOF => {
                seen_bof = true;
                Some(r)
            }
            EOF => {
                done = true;
                None
            }
            _ => Some(r),
        }
    })
}

/// The row and first and last columns of the cells calamine reads from a
/// record (`formula` is the position of the last FORMULA record, where a
/// STRING record's value goes). Records too short for calamine (which then
/// rejects the file) hold none.
fn cell_span(typ: u16, body: &[u8], formula: &mut Option<(u16, u16)>) -> Option<(u16, u16, u16)> {
    let at = |min: usize| (body.len() >= min).then(|| (u16_at(body, 0), u16_at(body, 2)));
    let (row, col) = match typ {
        // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST.
        0x0203 => at(14)?,
        0x0204 | 0x00D6 => at(6)?,
        0x0205 => at(8)?,
        0x027E | 0x00FD => at(10)?,
        FORMULA => {
            let p = at(20)?;
            *formula = Some(p);
            p
        }
        STRING => formula.unwrap_or((0, 0)),
        MULRK => {
            let (row, col) = at(6)?;
            // calamine reads one cell per 6 bytes between the first column
            // and the last column field.
            let n = (body.len() - 6).div_ceil(6);
            if n == 0 {
                return None;
            }
            return Some((row, col, col.saturating_add((n - 1) as u16)));
        }
        _ => return None,
    };
    Some((row, col, col))
}

/// The row and columns of a BLANK or MULBLANK record: calamine ignores
/// them, but beyond the cut they go too.
fn blank_span(typ: u16, body: &[u8]) -> Option<(u16, u16, u16)> {
    match typ {
        BLANK if body.len() >= 6 => Some((u16_at(body, 0), u16_at(body, 2), u16_at(body, 2))),
        MULBLANK if body.len() >= 6 => Some((
            u16_at(body, 0),
            u16_at(body, 2),
            u16_at(body, body.len() - 2),
        )),
        _ => None,
    }
}

/// The cells calamine reserves room for, for a DIMENSIONS record, with its
/// arithmetic (wrapping included); `None` when calamine rejects the record.
fn declared_cells(body: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match body.len() {
        10 => (
            u16_at(body, 0) as u32,
            u16_at(body, 2) as u32,
            u16_at(body, 4) as u32,
            u16_at(body, 6) as u32,
        ),
        14 | 16 => (
            u32_at(body, 0),
            u32_at(body, 4),
            u16_at(body, 8) as u32,
            u16_at(body, 10) as u32,
        ),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
        (rl - 1, cl - 1)
    } else {
        (rf, cf)
    };
    let rows = end_r.wrapping_sub(rf).wrapping_add(1) as u64;
    let cols = end_c.wrapping_sub(cf).wrapping_add(1) as u64;
    Some(rows.saturating_mul(cols))
}

/// A DIMENSIONS record body of the same length declaring `extent`
/// ((first row, last row), (first col, last col)), or nothing.
fn dimensions(old: &[u8], extent: Option<Extent>) -> Vec<u8> {
    let mut b = old.to_vec();
    let ((rf, rl), (cf, cl)) = match extent {
        Some(((rf, rl), (cf, cl))) => ((rf as u32, rl as u32 + 1), (cf, cl.saturating_add(1))),
        None => ((0, 0), (0, 0)),
    };
    if b.len() == 10 {
        b[0..2].copy_from_slice(&(rf as u16).to_le_bytes());
        b[2..4].copy_from_slice(&(rl.min(u16::MAX as u32) as u16).to_le_bytes());
        b[4..6].copy_from_slice(&cf.to_le_bytes());
        b[6..8].copy_from_slice(&cl.to_le_bytes());
    } else {
        b[0..4].copy_from_slice(&rf.to_le_bytes());
        b[4..8].copy_from_slice(&rl.to_le_bytes());
        b[8..10].copy_from_slice(&cf.to_le_bytes());
        b[10..12].copy_from_slice(&cl.to_le_bytes());
    }
    b
}

/// The cells of a sheet: ((first row, last row), (first col, last col)).
type Extent = ((u16, u16), (u16, u16));

/// Per row, the first and last column holding a cell: one table per sheet,
/// reset by the rows touched.
struct RowTable {
    cols: Vec<(u16, u16)>,
    touched: Vec<u16>,
}

impl RowTable {
    fn new() -> RowTable {
        RowTable {
            cols: vec![(u16::MAX, 0); ROWS],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, row: u16, c0: u16, c1: u16) {
        let e = &mut self.cols[row as usize];
        if e.0 > e.1 {
            self.touched.push(row);
        }
        e.0 = e.0.min(c0);
        e.1 = e.1.max(c1);
    }

    fn clear(&mut self) {
        for r in self.touched.drain(..) {
            self.cols[r as usize] = (u16::MAX, 0);
        }
    }

    fn rows(&self) -> impl Iterator<Item = (u16, (u16, u16))> + '_ {
        let mut rows = self.touched.clone();
        rows.sort_unstable();
        rows.into_iter().map(|r| (r, self.cols[r as usize]))
    }

    /// The first row from which the cells would need a dense range larger
    /// than the budget (the same rule as for .ods), and the extent of the
    /// cells above it.
    fn cut(&self) -> (Option<u16>, Option<Extent>) {
        let mut extent: Option<Extent> = None;
        for (r, (c0, c1)) in self.rows() {
            let ((r0, _), (e0, e1)) = extent.unwrap_or(((r, r), (c0, c1)));
            let (e0, e1) = (e0.min(c0), e1.max(c1));
            let dense = (r as u64 - r0 as u64 + 1) * (e1 as u64 - e0 as u64 + 1);
            if dense > MAX_DENSE_CELLS {
                return (Some(r), extent);
            }
            extent = Some(((r0, r), (e0, e1)));
        }
        (None, extent)
    }
}

/// A change to one record of the stream.
enum Edit {
    Drop,
    Body(Vec<u8>),
}

/// The workbook with the cells far outside each .xls sheet's form removed,
/// and how many records were removed; the bytes unchanged when there are
/// none.
///
/// # Errors
/// A Vietnamese reason: a broken container, a password, or a sheet whose
/// extent is still too large to read.
pub fn trim_far_cells(bytes: Vec<u8>) -> Result<(Vec<u8>, usize), String> {
    let (path, stream, complete) = workbook_stream(&bytes)?;
    let Some(path) = path else {
        // No workbook stream: calamine says so.
        return Ok((bytes, 0));
    };
    let sheets = sheet_positions(&stream)?;
    if !complete {
        return Err(format!(
            "tệp .xls quá lớn (phần dữ liệu hơn {} MB), không phải biểu mẫu: từ chối đọc.",
            MAX_STREAM_BYTES / 1_048_576
        ));
    }
    let edits = plan(&stream, &sheets)?;
    if edits.is_empty() {
        check_extent(&stream, &sheets)?;
        return Ok((bytes, 0));
    }
    let dropped = edits
        .iter()
        .filter(|(_, _, e)| matches!(e, Edit::Drop))
        .count();
    let new = apply(&stream, &sheets, &edits);
    check_extent(&new, &sheet_positions(&new)?)?;
    match replace_stream(bytes, &path, &new) {
        Ok(out) => Ok((out, dropped)),
        Err(_) => Err(broken()),
    }
}

/// The path and content of the "Workbook" (or "Book") stream, and whether
/// it was read whole. Every stream is read, so that a broken sector chain
/// is found here and not by calamine.
fn workbook_stream(bytes: &[u8]) -> Result<(Option<PathBuf>, Vec<u8>, bool), String> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| broken())?;
    let streams: Vec<PathBuf> = file
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    // calamine takes the first entry named "Workbook", else "Book": two
    // streams of the chosen name are not a file any client wrote.
    let named = |n: &str| streams.iter().filter(|p| path_is(p, n)).count();
    let name = if named("Workbook") > 0 {
        "Workbook"
    } else {
        "Book"
    };
    if named(name) > 1 {
        return Err(broken());
    }
    let (mut found, mut stream, mut complete) = (None, Vec::new(), false);
    for path in streams {
        let mut data = Vec::new();
        let mut s = file.open_stream(&path).map_err(|_| broken())?;
        let len = s.len();
        s.by_ref()
            .take(MAX_STREAM_BYTES)
            .read_to_end(&mut data)
            .map_err(|_| broken())?;
        if path_is(&path, name) {
            complete = data.len() as u64 == len;
            stream = data;
            found = Some(path);
        }
    }
    Ok((found, stream, complete))
}

fn path_is(p: &std::path::Path, name: &str) -> bool {
    p.file_name().and_then(|n| n.to_str()) == Some(name)
}

/// The sheet positions of the BOUNDSHEET records of the workbook globals
/// (from the start to its EOF, as calamine reads them): (offset of the
/// record, position of the sheet's BOF).
///
/// # Errors
/// A password (FILEPASS), or a position outside the stream (calamine would
/// panic on it).
fn sheet_positions(stream: &[u8]) -> Result<Vec<(usize, usize)>, String> {
    let mut sheets = Vec::new();
    for r in (Records { stream, pos: 0 }) {
        match r.typ {
            FILEPASS => return Err("tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại.".into()),
            // calamine reads these fields of the workbook globals without
            // checking the record is that long (a panic, found by fuzzing
            // for BOUNDSHEET): BOF, EXTERNSHEET, DATEMODE and CODEPAGE need
            // 2 bytes, BOUNDSHEET 6.
            BOF | EXTERNSHEET | DATEMODE | CODEPAGE if r.body.len() < 2 => return Err(broken()),
            BOUNDSHEET if r.body.len() < 6 => return Err(broken()),
            BOUNDSHEET if r.body.len() >= 4 => {
                let pos = u32_at(r.body, 0) as usize;
                if pos > stream.len() {
                    return Err(broken());
                }
                sheets.push((r.start, pos));
            }
            SST if !sst_is_readable(&segments(stream, &r)) => return Err(broken()),
            // calamine reads a defined name's length fields and text at
            // fixed offsets without checking the record is that long.
            LBL if r.body.len() < 14 => return Err(broken()),
            EOF => break,
            _ => {}
        }
    }
    Ok(sheets)
}

/// The data of a record and of its CONTINUE records.
fn segments<'a>(stream: &'a [u8], r: &Record<'a>) -> Vec<&'a [u8]> {
    let mut out = vec![r.body];
    let mut at = r.start + 4 + r.body.len();
    while at < r.end {
        let len = u16_at(stream, at + 2) as usize;
        out.push(&stream[at + 4..at + 4 + len]);
        at += 4 + len;
    }
    out
}

/// Whether calamine reads a shared string table (SST record) without a
/// panic: it reads the optional run count and extended-data size of a
/// string without checking that they are there, and the flags byte of a
/// continued string from a CONTINUE record that may be empty (found by
/// fuzzing). The same walk as calamine's `parse_sst`; a table that calamine
/// rejects with an error counts as readable (the error gives the reason).
fn sst_is_readable(segments: &[&[u8]]) -> bool {
    let mut parts = segments.iter().copied();
    let mut data = parts.next().unwrap_or_default();
    if data.len() < 8 {
        return true;
    }
    data = &data[8..];
    loop {
        if data.is_empty() {
            match parts.next() {
                Some(next) => data = next,
                None => return true,
            }
            // calamine: an empty string where a string should start.
            if data.is_empty() {
                continue;
            }
        }
        if data.len() < 3 {
            return true;
        }
        let mut cch = u16_at(data, 0) as usize;
        let flags = data[2];
        data = &data[3..];
        let mut high_byte = flags & 0x1 != 0;
        let mut skip = 0usize;
        if flags & 0x8 != 0 {
            if data.len() < 2 {
                return false;
            }
            skip += u16_at(data, 0) as usize * 4;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            if data.len() < 4 {
                return false;
            }
            skip = skip
                .saturating_add(i32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize);
            data = &data[4..];
        }
        while cch > 0 {
            let (l, at) = if high_byte {
                let l = (data.len() / 2).min(cch);
                (l, 2 * l)
            } else {
                let l = data.len().min(cch);
                (l, l)
            };
            data = &data[at..];
            cch -= l;
            if cch > 0 {
                match parts.next() {
                    Some([]) => return false,
                    Some(next) => {
                        high_byte = next[0] & 0x1 != 0;
                        data = &next[1..];
                    }
                    None => return true,
                }
            }
        }
        while skip > 0 {
            if data.is_empty() {
                match parts.next() {
                    Some(next) => data = next,
                    None => return true,
                }
            }
            let l = skip.min(data.len());
            data = &data[l..];
            skip -= l;
        }
    }
}

/// The records to remove or rewrite, sorted by offset: (start, end, edit).
/// Nothing when the sheets' records overlap in a way that a rewrite could
/// not keep (a damaged file: then the extent check decides).
fn plan(stream: &[u8], sheets: &[(usize, usize)]) -> Result<Vec<(usize, usize, Edit)>, String> {
    let mut edits: Vec<(usize, usize, Edit)> = Vec::new();
    // Defined names (print titles, ...): their formula emptied, as below.
    for r in (Records { stream, pos: 0 }) {
        match r.typ {
            LBL if r.body.len() >= 6 && u16_at(r.body, 4) != 0 => {
                let mut b = r.body.to_vec();
                b[4..6].fill(0);
                edits.push((r.start, r.start + 4 + r.body.len(), Edit::Body(b)));
            }
            EOF => break,
            _ => {}
        }
    }
    let mut table = RowTable::new();
    let mut done = HashSet::new();
    for &(_, pos) in sheets {
        if !done.insert(pos) {
            continue;
        }
        table.clear();
        let mut formula = None;
        let mut too_large_dims = false;
        for r in sheet_records(stream, pos) {
            if let Some((row, c0, c1)) = cell_span(r.typ, r.body, &mut formula) {
                table.add(row, c0, c1);
            }
            if r.typ == DIMENSIONS {
                too_large_dims |= declared_cells(r.body).is_some_and(|n| n > MAX_DENSE_CELLS);
            }
        }
        let (cut, extent) = table.cut();
        let trim = cut.is_some() || too_large_dims;
        let far = |row: u16| cut.is_some_and(|c| row >= c);
        let mut formula = None;
        for r in sheet_records(stream, pos) {
            let span = cell_span(r.typ, r.body, &mut formula).or_else(|| blank_span(r.typ, r.body));
            let edit = match span {
                Some((row, _, _)) if r.typ != FORMULA && far(row) => Edit::Drop,
                // A FORMULA's position: its own, even when too short.
                _ if r.typ == FORMULA && r.body.len() >= 4 && far(u16_at(r.body, 0)) => Edit::Drop,
                _ if trim && r.typ == DIMENSIONS && declared_cells(r.body).is_some() => {
                    Edit::Body(dimensions(r.body, extent))
                }
                // The formula's tokens emptied (its cached value stays).
                _ if r.typ == FORMULA && r.body.len() >= 22 && u16_at(r.body, 20) != 0 => {
                    let mut b = r.body.to_vec();
                    b[20..22].fill(0);
                    Edit::Body(b)
                }
                _ => continue,
            };
            // A CONTINUE of a record rewritten in place stays.
            let end = match edit {
                Edit::Drop => r.end,
                Edit::Body(_) => r.start + 4 + r.body.len(),
            };
            edits.push((r.start, end, edit));
        }
    }
    edits.sort_by_key(|e| (e.0, e.1));
    edits.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    // Overlapping edits, a sheet position inside a removed record, or an
    // edit over the sheet position of a BOUNDSHEET record (its first 8
    // bytes): not a file any client wrote; left to the check.
    let overlap = edits.windows(2).any(|w| w[1].0 < w[0].1);
    if overlap {
        return Err(broken());
    }
    // Sorted and disjoint: the first edit ending after `a` is the only one
    // that can hold it.
    let first_after = |a: usize| edits.get(edits.partition_point(|(_, e, _)| *e <= a));
    let inside =
        |x: usize| first_after(x).is_some_and(|(s, _, ed)| matches!(ed, Edit::Drop) && *s <= x);
    let over = |a: usize, b: usize| first_after(a).is_some_and(|(s, _, _)| *s < b);
    let hit = sheets
        .iter()
        .any(|&(rec, pos)| over(rec, rec + 8) || inside(pos));
    if hit {
        return Err(broken());
    }
    Ok(edits)
}

/// The stream with `edits` applied and the BOUNDSHEET positions moved.
fn apply(stream: &[u8], sheets: &[(usize, usize)], edits: &[(usize, usize, Edit)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stream.len());
    let mut at = 0usize;
    for (start, end, edit) in edits {
        out.extend_from_slice(&stream[at..*start]);
        if let Edit::Body(body) = edit {
            out.extend_from_slice(&stream[*start..*start + 4]);
            out.extend_from_slice(body);
        }
        at = *end;
    }
    out.extend_from_slice(&stream[at..]);
    // Bytes removed before an offset of the old stream (the edits are
    // sorted and disjoint, so their ends are sorted too).
    let mut removed = Vec::with_capacity(edits.len());
    let mut sum = 0usize;
    for (s, e, ed) in edits {
        if matches!(ed, Edit::Drop) {
            sum += e - s;
        }
        removed.push(sum);
    }
    let removed_before = |x: usize| -> usize {
        match edits.partition_point(|(_, e, _)| *e <= x) {
            0 => 0,
            n => removed[n - 1],
        }
    };
    for &(rec, pos) in sheets {
        let new_rec = rec - removed_before(rec);
        let new_pos = (pos - removed_before(pos)) as u32;
        out[new_rec + 4..new_rec + 8].copy_from_slice(&new_pos.to_le_bytes());
    }
    out
}

/// Every sheet's dense range, as calamine would build it, and every
/// DIMENSIONS record, within the budget.
///
/// # Errors
/// A Vietnamese reason naming the rows and columns.
fn check_extent(stream: &[u8], sheets: &[(usize, usize)]) -> Result<(), String> {
    let mut done = HashSet::new();
    for &(_, pos) in sheets {
        if !done.insert(pos) {
            continue;
        }
        let mut formula = None;
        let (mut r0, mut r1, mut c0, mut c1) = (u64::MAX, 0u64, u64::MAX, 0u64);
        for r in sheet_records(stream, pos) {
            if let Some((row, a, b)) = cell_span(r.typ, r.body, &mut formula) {
                r0 = r0.min(row as u64);
                r1 = r1.max(row as u64);
                c0 = c0.min(a as u64);
                c1 = c1.max(b as u64);
            }
            if r.typ == DIMENSIONS && declared_cells(r.body).is_some_and(|n| n > MAX_DENSE_CELLS) {
                return Err(too_far_dims(r.body));
            }
            // calamine reads a MERGECELLS record's declared count of ranges
            // past its end, and subtracts a MULRK's first column from its
            // last (a panic in both cases).
            let bad = match r.typ {
                MERGECELLS => r.body.len() < 2 || 2 + 8 * u16_at(r.body, 0) as usize > r.body.len(),
                MULRK => r.body.len() >= 6 && u16_at(r.body, r.body.len() - 2) < u16_at(r.body, 2),
                // calamine reads a formula's token count after the 20 bytes
                // it checks for.
                FORMULA => (20..22).contains(&r.body.len()),
                _ => false,
            };
            if bad {
                return Err(broken());
            }
        }
        if r0 != u64::MAX && (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_DENSE_CELLS {
            return Err(too_far(r1 + 1, c1 + 1));
        }
    }
    Ok(())
}

fn too_far_dims(body: &[u8]) -> String {
    let (rl, cl) = match body.len() {
        10 => (u16_at(body, 2) as u64, u16_at(body, 6) as u64),
        _ => (u32_at(body, 4) as u64, u16_at(body, 10) as u64),
    };
    too_far(rl.max(1), cl.max(1))
}

/// The container with the stream at `path` replaced by `data`.
fn replace_stream(bytes: Vec<u8>, path: &std::path::Path, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes))?;
    {
        let mut s = file.open_stream(path)?;
        s.set_len(data.len() as u64)?;
        s.seek(SeekFrom::Start(0))?;
        s.write_all(data)?;
        s.flush()?;
    }
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(body.len() as u16).to_le_bytes());
        v.extend_from_slice(body);
        v
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut b = row.to_le_bytes().to_vec();
        b.extend_from_slice(&col.to_le_bytes());
        b.extend_from_slice(&[0; 10]);
        rec(0x0203, &b)
    }

    fn dims(rf: u32, rl: u32, cf: u16, cl: u16) -> Vec<u8> {
        let mut b = rf.to_le_bytes().to_vec();
        b.extend_from_slice(&rl.to_le_bytes());
        b.extend_from_slice(&cf.to_le_bytes());
        b.extend_from_slice(&cl.to_le_bytes());
        b.extend_from_slice(&[0, 0]);
        rec(DIMENSIONS, &b)
    }

    fn bof(kind: u16) -> Vec<u8> {
        let mut b = 0x0600u16.to_le_bytes().to_vec();
        b.extend_from_slice(&kind.to_le_bytes());
        b.extend_from_slice(&[0; 12]);
        rec(BOF, &b)
    }

    /// A workbook stream of two sheets, each given as its records between
    /// BOF and EOF.
    fn stream(sheets: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let bound = |pos: u32| {
            let mut b = pos.to_le_bytes().to_vec();
            b.extend_from_slice(&[0, 0, 1, 0, b'S']);
            rec(BOUNDSHEET, &b)
        };
        let globals_len = bof(5).len() + sheets.len() * bound(0).len() + rec(EOF, &[]).len();
        let mut bodies = Vec::new();
        let mut positions = Vec::new();
        let mut pos = globals_len;
        for s in sheets {
            let mut body = bof(0x10);
            for r in s {
                body.extend_from_slice(r);
            }
            body.extend(rec(EOF, &[]));
            positions.push(pos as u32);
            pos += body.len();
            bodies.push(body);
        }
        let mut out = bof(5);
        for p in positions {
            out.extend(bound(p));
        }
        out.extend(rec(EOF, &[]));
        for b in bodies {
            out.extend(b);
        }
        out
    }

    #[test]
    fn far_cell_is_removed_and_later_sheets_move() {
        let s = stream(&[
            vec![
                dims(0, 65536, 0, 256),
                number(0, 0),
                number(9, 3),
                number(65535, 255),
            ],
            vec![dims(0, 2, 0, 2), number(1, 1)],
        ]);
        let sheets = sheet_positions(&s).unwrap();
        assert!(check_extent(&s, &sheets).unwrap_err().contains("rất xa"));
        let edits = plan(&s, &sheets).unwrap();
        assert_eq!(
            edits.iter().filter(|e| matches!(e.2, Edit::Drop)).count(),
            1
        );
        let new = apply(&s, &sheets, &edits);
        assert_eq!(new.len(), s.len() - number(0, 0).len());
        let moved = sheet_positions(&new).unwrap();
        check_extent(&new, &moved).unwrap();
        // The second sheet still starts with its BOF and holds its cell.
        let mut formula = None;
        let cells: Vec<_> = sheet_records(&new, moved[1].1)
            .filter_map(|r| cell_span(r.typ, r.body, &mut formula))
            .collect();
        assert_eq!(cells, vec![(1, 1, 1)]);
        // The first sheet's DIMENSIONS now declares A1:D10.
        let d = sheet_records(&new, moved[0].1)
            .find(|r| r.typ == DIMENSIONS)
            .unwrap();
        assert_eq!(declared_cells(d.body), Some(40));
    }

    #[test]
    fn lying_dimensions_alone_is_corrected() {
        let s = stream(&[vec![dims(0, 0xFFFF_FFFF, 0, 256), number(2, 2)]]);
        let sheets = sheet_positions(&s).unwrap();
        let edits = plan(&s, &sheets).unwrap();
        assert_eq!(edits.len(), 1);
        let new = apply(&s, &sheets, &edits);
        assert_eq!(new.len(), s.len());
        check_extent(&new, &sheet_positions(&new).unwrap()).unwrap();
    }

    #[test]
    fn sheet_position_past_the_stream_is_broken_not_a_panic() {
        let mut s = stream(&[vec![number(0, 0)]]);
        let sheets = sheet_positions(&s).unwrap();
        let rec = sheets[0].0;
        s[rec + 4..rec + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(sheet_positions(&s).unwrap_err().contains("bị hỏng"));
    }

    #[test]
    fn truncated_merge_cells_record_is_broken_not_a_panic() {
        let s = stream(&[vec![rec(MERGECELLS, &[5, 0, 1, 2])]]);
        let sheets = sheet_positions(&s).unwrap();
        assert!(check_extent(&s, &sheets).unwrap_err().contains("bị hỏng"));
    }
}
