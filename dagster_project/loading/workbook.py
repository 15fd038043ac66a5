"""One workbook sheet as CSV, converted in a child process (review s13 finding 2, decision D440).

python-calamine builds a dense grid of a sheet's whole used range, so a few kB of workbook declaring a cell at
XFD1048576 asks for hundreds of GB: Rust then aborts the process, which no `except` can catch. The reader
therefore runs this file as a script in a child process whose address space is capped (RLIMIT_AS) and whose
run time is bounded: the child dying or running out of time fails that one file, never the load.

This module imports nothing of the project (it runs by path, so the package and Dagster are not imported).
Protocol: `python workbook.py SPEC` (SPEC a JSON object: path, sheet or null, target, memory in bytes); exit 0
with {"blank": the empty rows' numbers} on stdout and the CSV written, or exit 2 with {"error": plain words};
any other exit is the reader's to word.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import resource
import sys

REFUSED_EXIT = 2
MEMORY_EXIT = 3


def cell_text(value: object) -> str:
    """One workbook cell as the text a CSV export of it would hold (docs/mappings.md "Workbooks"):
    numbers as Excel shows them (whole numbers without ".0", others to 15 significant digits), dates
    and timestamps in ISO form, durations as hours:minutes:seconds, true/false, empty cells empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def convert(path: str, sheet_name: str | None, target: str) -> str | list[int]:
    """Write the sheet (default the first) as CSV; row n of the CSV is row n of the sheet, and a row with no
    value is an empty line (the CSV reader skips it). Returns the empty rows' numbers, or why it cannot."""
    import python_calamine

    suffix = path[path.rfind(".") :].lower()
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            names = list(book.sheet_names)
            if sheet_name is not None and sheet_name not in names:
                return f"the workbook has no sheet named {sheet_name!r} (its sheets: {', '.join(names)})"
            if not names:
                return "cannot read file: the workbook has no sheet"
            sheet = book.get_sheet_by_name(sheet_name if sheet_name is not None else names[0])
            rows = sheet.to_python(skip_empty_area=False)
    except python_calamine.PasswordError:
        return "cannot read file: the workbook is password-protected"
    except (python_calamine.CalamineError, ValueError):
        return f"cannot read file: not a readable {suffix} workbook"
    texts = [[cell_text(cell) for cell in row] for row in rows]
    if not any(any(texts_row) for texts_row in texts):
        return f"the sheet {sheet.name!r} of the workbook is empty"
    blank = []
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for number, row in enumerate(texts, start=1):
            if any(row):
                writer.writerow(row)
            else:
                fh.write("\n")
                blank.append(number)
    return blank


def main() -> None:
    spec = json.loads(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (spec["memory"], spec["memory"]))
    try:
        result = convert(spec["path"], spec["sheet"], spec["target"])
    except MemoryError:
        sys.exit(MEMORY_EXIT)
    if isinstance(result, str):
        print(json.dumps({"error": result}))
        sys.exit(REFUSED_EXIT)
    print(json.dumps({"blank": result}))


if __name__ == "__main__":
    main()
