//! How much of a catalogue a draft from its outline finds: the README
//! figure for the seed's đề cương against the embedded Đề án 241
//! catalogue.
//!
//! ```sh
//! cargo run --release --example outline_coverage -- tests/fixtures/de-cuong-241.txt
//! ```
//! A second argument names another reference catalogue file.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let outline = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "tests/fixtures/de-cuong-241.txt".into()),
    );
    let reference =
        tonghop::catalog::Catalog::load_or_embedded(args.next().map(PathBuf::from).as_deref())?;
    let draft = tonghop::catalog::outline::draft_file(&outline)?;
    println!(
        "{}: {} đề mục, {} biểu, {} chỉ tiêu.",
        outline.display(),
        draft.headings.len(),
        draft.catalog.groups.len(),
        draft.catalog.indicators.len()
    );
    println!(
        "{}",
        tonghop::catalog::outline::coverage(&draft.catalog, &reference)
    );
    Ok(())
}
