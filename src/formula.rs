//! Excel formulas for totals and percentages: the one place that writes
//! them, for the forms, the consolidated workbook and the committee's own
//! return, so that every reader computes what tonghop computes.
//!
//! A blank stays blank (DESIGN.md "Percentages", FORMAT.md): a sum of
//! cells none of which holds a number is "" (never 0), a percentage
//! exists only when its tử số and mẫu số both do and the mẫu số is above
//! 0, and a committee's percentage is Σ tử số / Σ mẫu số over the units
//! that gave both. Sums list their cells (`E10,G10,H10`), so a `sum_of`
//! over columns that are not next to each other never takes in a cell in
//! between.

use crate::cell::CellRef;

/// `=…` summing `cells`, blank when none holds a number.
pub fn sum(cells: &[CellRef]) -> String {
    let list = join(cells);
    format!("=IF(COUNT({list})=0,\"\",SUM({list}))")
}

/// `=…` summing the column range `first:last`, blank when no cell in it
/// holds a number.
pub fn sum_range(first: CellRef, last: CellRef) -> String {
    format!("=IF(COUNT({first}:{last})=0,\"\",SUM({first}:{last}))")
}

/// `=…` counting the "Có" answers in `first:last`, blank when nobody
/// answered (neither "Có" nor "Không").
pub fn count_yes(first: CellRef, last: CellRef) -> String {
    let r = format!("{first}:{last}");
    format!("=IF(COUNTIF({r},\"Có\")+COUNTIF({r},\"Không\")=0,\"\",COUNTIF({r},\"Có\"))")
}

/// `=…` of 100 × `numerator` / `denominator`, two decimals; blank unless
/// the tử số holds a number and the mẫu số a number above 0.
pub fn percent(numerator: CellRef, denominator: CellRef) -> String {
    format!(
        "=IF(OR(COUNT({numerator})=0,N({denominator})<=0),\"\",ROUND(100*{numerator}/{denominator},2))"
    )
}

/// A column range `first:last`, on the sheet `sheet` when it is not the
/// formula's own (`'TH Biểu 02 (2)'!D10:D25`: a per-form sheet split in
/// parts at Excel's row limit).
#[derive(Debug, Clone)]
pub struct Span {
    pub sheet: Option<String>,
    pub first: CellRef,
    pub last: CellRef,
}

impl Span {
    /// `first:last` on the formula's own sheet.
    pub fn here(first: CellRef, last: CellRef) -> Span {
        Span {
            sheet: None,
            first,
            last,
        }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(sheet) = &self.sheet {
            write!(f, "'{}'!", sheet.replace('\'', "''"))?;
        }
        write!(f, "{}:{}", self.first, self.last)
    }
}

/// The rows of one khối in a consolidated sheet: the tử số cells
/// `numerator` and the mẫu số cells `denominator`, one per unit in the
/// same order.
#[derive(Debug, Clone)]
pub struct Pairs {
    pub numerator: Span,
    pub denominator: Span,
}

impl Pairs {
    /// 1 for each unit that gave both, as an array expression.
    fn both(&self) -> String {
        format!(
            "ISNUMBER({})*ISNUMBER({})",
            self.numerator, self.denominator
        )
    }

    fn sum_numerator(&self) -> String {
        format!("SUMPRODUCT({},{})", self.both(), self.numerator)
    }

    fn sum_denominator(&self) -> String {
        format!("SUMPRODUCT({},{})", self.both(), self.denominator)
    }
}

/// `=…` of 100 × Σ tử số / Σ mẫu số over the units (in every block of
/// `blocks`) that gave both, two decimals; blank when that Σ mẫu số is
/// not above 0 (nobody gave both, or 0/0).
pub fn paired_percent(blocks: &[Pairs]) -> String {
    if blocks.is_empty() {
        return "=\"\"".to_string();
    }
    let num: Vec<String> = blocks.iter().map(Pairs::sum_numerator).collect();
    let den: Vec<String> = blocks.iter().map(Pairs::sum_denominator).collect();
    let (num, den) = (num.join("+"), den.join("+"));
    format!("=IF(({den})<=0,\"\",ROUND(100*({num})/({den}),2))")
}

fn join(cells: &[CellRef]) -> String {
    cells
        .iter()
        .map(CellRef::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(a1: &str) -> CellRef {
        CellRef::parse(a1).expect("test address")
    }

    #[test]
    fn sums_list_their_cells_and_stay_blank_without_numbers() {
        assert_eq!(
            sum(&[c("E10"), c("G10"), c("H10")]),
            "=IF(COUNT(E10,G10,H10)=0,\"\",SUM(E10,G10,H10))"
        );
        assert_eq!(
            sum_range(c("D5"), c("D9")),
            "=IF(COUNT(D5:D9)=0,\"\",SUM(D5:D9))"
        );
    }

    #[test]
    fn a_percentage_needs_both_sides() {
        assert_eq!(
            percent(c("E11"), c("E10")),
            "=IF(OR(COUNT(E11)=0,N(E10)<=0),\"\",ROUND(100*E11/E10,2))"
        );
    }

    #[test]
    fn a_committee_percentage_sums_only_the_pairs() {
        let p = Pairs {
            numerator: Span::here(c("D20"), c("D25")),
            denominator: Span::here(c("D10"), c("D15")),
        };
        assert_eq!(
            paired_percent(&[p]),
            "=IF((SUMPRODUCT(ISNUMBER(D20:D25)*ISNUMBER(D10:D15),D10:D15))<=0,\"\",\
             ROUND(100*(SUMPRODUCT(ISNUMBER(D20:D25)*ISNUMBER(D10:D15),D20:D25))/\
             (SUMPRODUCT(ISNUMBER(D20:D25)*ISNUMBER(D10:D15),D10:D15)),2))"
        );
        assert_eq!(paired_percent(&[]), "=\"\"");
    }

    #[test]
    fn a_range_on_another_sheet_is_named_with_it() {
        let p = Pairs {
            numerator: Span {
                sheet: Some("TH Biểu 02 (2)".into()),
                first: c("D20"),
                last: c("D25"),
            },
            denominator: Span::here(c("D10"), c("D15")),
        };
        assert_eq!(
            paired_percent(&[p]),
            "=IF((SUMPRODUCT(ISNUMBER('TH Biểu 02 (2)'!D20:D25)*ISNUMBER(D10:D15),D10:D15))<=0,\"\",\
             ROUND(100*(SUMPRODUCT(ISNUMBER('TH Biểu 02 (2)'!D20:D25)*ISNUMBER(D10:D15),'TH Biểu 02 (2)'!D20:D25))/\
             (SUMPRODUCT(ISNUMBER('TH Biểu 02 (2)'!D20:D25)*ISNUMBER(D10:D15),D10:D15)),2))"
        );
    }
}
