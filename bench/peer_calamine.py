"""The peer of the benchmark: the script an analyst would write.

Reads every return under ROUND/bao-cao with python-calamine through the
FORMAT.md contract (hidden sheet `_tonghop`, the "Mã số" header, the
numbered-column row, rows found by mã số), sums every numeric input cell
per (biểu, mã số, cột) with polars and writes the totals to OUT.xlsx
(xlsxwriter). No checks, no per-unit sheets, no audit trail.

Usage: peer_calamine.py ROUND OUT.xlsx [CATALOG.toml]
"""
import re
import sys
import tomllib
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

round_dir, out = Path(sys.argv[1]), sys.argv[2]
settings = tomllib.loads((round_dir / "tonghop.toml").read_text(encoding="utf-8"))
catalog_path = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(__file__).parent.parent / "catalog/de-an-241.toml"
catalog = tomllib.loads(catalog_path.read_text(encoding="utf-8"))
# Percentages are computed cells (formulas): never summed.
group = {i["code"]: i["group"] for i in catalog["indicators"] if i.get("kind") != "percent"}
numbered = re.compile(r"^\((\d+)\)")
keys, codes, cols, values = [], [], [], []

for path in sorted((round_dir / "bao-cao").rglob("*")):
    if path.suffix.lower() not in (".xlsx", ".xls", ".ods"):
        continue
    wb = CalamineWorkbook.from_path(str(path))
    if "_tonghop" not in wb.sheet_names:
        continue
    meta = {r[0]: r[1] for r in wb.get_sheet_by_name("_tonghop").to_python()[1:] if len(r) > 1}
    if meta.get("catalog_id") != catalog["id"] or meta.get("round_id") != settings["round_id"]:
        continue
    for name in wb.sheet_names:
        if name == "_tonghop":
            continue
        rows = wb.get_sheet_by_name(name).to_python()
        head = next(((r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v == "Mã số"), None)
        if head is None:
            continue
        hr, code_col = head
        num_cols = {}
        for row in rows[hr + 1 : hr + 4]:
            for c, v in enumerate(row):
                m = numbered.match(v) if isinstance(v, str) else None
                if m and "=" not in v:  # "(7) = (2)+…": a computed column
                    num_cols[c] = int(m.group(1))
            if num_cols:
                break
        for row in rows[hr + 2 :]:
            code = row[code_col] if code_col < len(row) else None
            bieu = group.get(code)
            if bieu is None:
                continue
            for c, n in num_cols.items():
                v = row[c] if c < len(row) else None
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    keys.append(bieu)
                    codes.append(code)
                    cols.append(n)
                    values.append(float(v))

df = pl.DataFrame({"bieu": keys, "ma_so": codes, "cot": cols, "gia_tri": values})
totals = df.group_by(["bieu", "ma_so", "cot"]).agg(
    pl.col("gia_tri").sum().alias("tong"), pl.len().alias("so_don_vi")
).sort(["bieu", "ma_so", "cot"])
totals.write_excel(out, worksheet="Tổng hợp")
print(f"values={len(values)} totals={totals.height}")
