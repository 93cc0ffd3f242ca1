//! The raw-read floor of the benchmark: read every cell of every sheet of
//! every file under a folder with calamine and nothing else, in parallel on
//! the same number of threads as `tonghop consolidate` (rayon's pool).
//!
//! Usage: `cargo run --release --example raw_read -- DIR`; prints files,
//! cells and seconds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use calamine::{open_workbook_auto, Data, Reader};
use rayon::prelude::*;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: raw_read DIR");
    let mut all = Vec::new();
    files(Path::new(&dir), &mut all);
    let started = Instant::now();
    let cells: usize = all
        .par_iter()
        .map(|p| {
            let Ok(mut wb) = open_workbook_auto(p) else {
                return 0;
            };
            let mut n = 0;
            for name in wb.sheet_names() {
                if let Ok(range) = wb.worksheet_range(&name) {
                    n += range
                        .used_cells()
                        .filter(|(_, _, d)| !matches!(d, Data::Empty))
                        .count();
                }
            }
            n
        })
        .sum();
    println!(
        "files={} cells={} seconds={:.3}",
        all.len(),
        cells,
        started.elapsed().as_secs_f64()
    );
}
