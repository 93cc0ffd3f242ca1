//! Phase timings, as domain code sees them: a phase reports its end and
//! the reporter (in `report::progress`) decides whether and how to show
//! it. Domain modules never print.

/// Something that hears about the end of each phase of a run.
pub trait Laps {
    /// The phase `what` has ended.
    fn lap(&self, what: &str);
}

/// Laps nobody hears.
pub struct Quiet;

impl Laps for Quiet {
    fn lap(&self, _: &str) {}
}
