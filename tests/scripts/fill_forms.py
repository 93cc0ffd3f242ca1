#!/usr/bin/env python3
"""Fill generated forms through the documented contract (FORMAT.md) with
openpyxl, a different writer than the one that made them.

    python3 fill_forms.py FORMS_DIR OUT_DIR CATALOG_JSON

Every input cell of every unit form in FORMS_DIR (not the generic form) gets
a known whole number: (unit index + 1) * 1000 + row-in-sheet * 10 + column
number, modulo 997, so sums are easy to recompute. Percentage rows typed by
the unit get a value consistent with their numerator and denominator is not
attempted: they are left blank (the checker then only checks presence).
Computed cells (formulas) are left alone. Writes OUT_DIR/<same name> and
OUT_DIR/expected.json: {unit_code: {"code|column_number": value}}.
"""
import json
import os
import sys

import openpyxl


def main():
    forms, out, catalog_path = sys.argv[1], sys.argv[2], sys.argv[3]
    catalog = json.load(open(catalog_path, encoding="utf-8"))
    groups = {g["id"]: g for g in catalog["groups"]}
    column_sets = catalog["column_sets"]
    indicators = {i["code"]: i for i in catalog["indicators"]}
    os.makedirs(out, exist_ok=True)
    expected = {}
    names = sorted(n for n in os.listdir(forms) if n.endswith(".xlsx") and n != "bieu-mau-chung.xlsx")
    for k, name in enumerate(names):
        wb = openpyxl.load_workbook(os.path.join(forms, name))
        meta = {r[0].value: r[1].value for r in wb["_tonghop"].iter_rows() if r[0].value}
        unit = meta["unit_code"]
        values = expected.setdefault(unit, {})
        for ws in wb.worksheets:
            if ws.title == "_tonghop":
                continue
            head = next((c for row in ws.iter_rows(max_row=30) for c in row if c.value == "Mã số"), None)
            if head is None:
                continue
            numbers = {}
            for c in ws[head.row + 1]:
                if isinstance(c.value, str) and c.value.startswith("("):
                    numbers[int(c.value[1:].split(")")[0])] = c.column
            for r in range(head.row + 2, ws.max_row + 1):
                code = ws.cell(r, head.column).value
                ind = indicators.get(code)
                if ind is None or ind["kind"] not in ("count", "quantity"):
                    continue
                columns = column_sets[groups[ind["group"]]["columns"]]["columns"]
                for n, col in numbers.items():
                    spec = columns[n - 1]
                    cell = ws.cell(r, col)
                    if spec.get("sum_of") or cell.value == "x":
                        continue
                    v = ((k + 1) * 1000 + r * 10 + n) % 997
                    cell.value = v
                    values[f"{code}|{n}"] = v
        wb.save(os.path.join(out, name))
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"), ensure_ascii=False)


if __name__ == "__main__":
    main()
