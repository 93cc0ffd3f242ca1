#!/usr/bin/env python3
"""Correct a feedback workbook (phan-hoi/) as a unit would, with openpyxl.

    correct_feedback.py IN.xlsx OUT.xlsx EDITS.json REPORT.json

EDITS.json: [[mã số, column number, value], ...]; cells are found through
the form contract (FORMAT.md §4), never by position. REPORT.json receives
the cells filled red (the marked cells) as [[sheet, "E14"], ...] and the
rows of the "Cần sửa" sheet, read before the edits.
"""
import json, sys
import openpyxl

MARKED = "F4B6B6"


def main(src, dest, edits_path, report_path):
    edits = json.load(open(edits_path, encoding="utf-8"))
    wb = openpyxl.load_workbook(src)
    red = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                rgb = c.fill.fgColor.rgb if c.fill is not None and c.fill.fgColor is not None else None
                if isinstance(rgb, str) and rgb.upper().endswith(MARKED):
                    red.append([ws.title, c.coordinate])
    todo = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    done = set()
    for ws in wb.worksheets:
        if ws.title == "_tonghop":
            continue
        head = None
        for row in ws.iter_rows(max_row=60):
            for c in row:
                if c.value == "Mã số":
                    head = c
                    break
            if head:
                break
        if head is None:
            continue
        numbers = {}
        for c in ws[head.row + 1]:
            if isinstance(c.value, str) and c.value.startswith("("):
                numbers[int(c.value[1:].split(")")[0])] = c.column
        for r in range(head.row + 2, ws.max_row + 1):
            code = ws.cell(r, head.column).value
            for i, (want, n, value) in enumerate(edits):
                if code == want and n in numbers:
                    ws.cell(r, numbers[n]).value = value
                    done.add(i)
    missing = [edits[i] for i in range(len(edits)) if i not in done]
    if missing:
        sys.exit("cells not found: %r" % missing)
    wb.save(dest)
    json.dump({"red": red, "todo": todo}, open(report_path, "w", encoding="utf-8"),
              ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:5])
