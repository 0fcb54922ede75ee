"""Progress sheets in, validated rows out: parsing, validation, change preview, marked workbooks, templates.

Pure logic (no streamlit, no database). db/imports.py writes what this package validated.
"""
