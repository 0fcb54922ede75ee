"""Exported cells that Excel or WPS would run as formulas (CSV/formula injection) are made plain text.

The one rule for every file the dashboard writes: CSV cells get a leading apostrophe (`neutralise`);
every .xlsx passes through `neutralise_workbook` just before it is saved, which turns any cell openpyxl
would store as a formula (a text starting with "=") back into a text cell, shown exactly as typed, with
Excel's quote prefix so that editing the cell does not turn it into a formula either. The dashboard
writes no formulas of its own (openpyxl stores no cached values, so they would show empty anyway).
"""
from __future__ import annotations

import pandas as pd

# Leading characters a spreadsheet treats as the start of a formula; tab and carriage return
# are included because some programs strip them and then see the next character.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell starting like a formula gets a leading apostrophe, so it shows as typed and never runs."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def safe_csv_bytes(df: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so Excel and WPS open Chinese text correctly.
    return neutralise_frame(df).to_csv(index=False).encode("utf-8-sig")


def neutralise_workbook(wb) -> None:
    """Every formula-like text cell of an openpyxl workbook becomes a quote-prefixed text cell (in place)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"  # openpyxl made "=..." a formula ("f")
                    cell.quotePrefix = True


def safe_xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    import io

    out = io.BytesIO()
    frame = neutralise_frame(df)
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_localize(None)  # Excel has no time zones
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        neutralise_workbook(writer.book)
    return out.getvalue()
