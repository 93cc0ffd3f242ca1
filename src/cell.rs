//! Cell addresses: the one place that turns (row, column) into "E14" and
//! back. Rows and columns are 0-based internally, 1-based in A1 text.

use std::fmt;

/// A cell position, 0-based (row 0, col 0 is "A1").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellRef {
    pub row: u32,
    pub col: u16,
}

impl CellRef {
    pub fn new(row: u32, col: u16) -> CellRef {
        CellRef { row, col }
    }

    /// Parse "E14" (case-insensitive, `$` allowed).
    pub fn parse(a1: &str) -> Option<CellRef> {
        let s: String = a1.chars().filter(|c| *c != '$').collect();
        let split = s.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = s.split_at(split);
        if letters.is_empty() || letters.len() > 3 {
            return None;
        }
        let mut col: u32 = 0;
        for c in letters.chars() {
            if !c.is_ascii_alphabetic() {
                return None;
            }
            col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
        }
        let row: u32 = digits.parse().ok()?;
        if row == 0 || col == 0 || col > 16_384 || row > 1_048_576 {
            return None;
        }
        Some(CellRef::new(row - 1, (col - 1) as u16))
    }
}

/// Column letters of a 0-based column: 0 → "A", 27 → "AB".
pub fn col_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", col_name(self.col), self.row + 1)
    }
}

/// "E14:E20" from two positions.
pub fn range_name(a: CellRef, b: CellRef) -> String {
    format!("{a}:{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for (r, c, s) in [
            (0, 0, "A1"),
            (13, 4, "E14"),
            (0, 26, "AA1"),
            (1_048_575, 16_383, "XFD1048576"),
        ] {
            let cell = CellRef::new(r, c);
            assert_eq!(cell.to_string(), s);
            assert_eq!(CellRef::parse(s), Some(cell));
        }
        assert_eq!(CellRef::parse("$b$2"), Some(CellRef::new(1, 1)));
        assert_eq!(CellRef::parse("XFE1"), None);
        assert_eq!(CellRef::parse("A0"), None);
    }
}
