"""Tile the pages of a rendered deck (PDF) into one PNG, for reviewers: `python scripts/contact_sheet.py
deck.pdf docs/meeting-deck-2020Q4.png`. Needs pdftoppm (poppler-utils) and Pillow."""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw


def contact_sheet(pdf: Path, out: Path, columns: int = 3, dpi: int = 48, gap: int = 12) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), f"{tmp}/p"], check=True)
        pages = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p-*.png"))]
    w, h = pages[0].size
    rows = -(-len(pages) // columns)
    sheet = Image.new("RGB", (columns * (w + gap) + gap, rows * (h + gap) + gap), "#8c959f")
    draw = ImageDraw.Draw(sheet)
    for i, page in enumerate(pages):
        x, y = gap + (i % columns) * (w + gap), gap + (i // columns) * (h + gap)
        sheet.paste(page, (x, y))
        draw.rectangle([x, y, x + w - 1, y + h - 1], outline="#57606a")
    # A palette keeps the sheet small in the repository; slides have few colours.
    sheet.convert("P", palette=Image.Palette.ADAPTIVE, colors=256).save(out, optimize=True)
    return out


if __name__ == "__main__":
    contact_sheet(Path(sys.argv[1]), Path(sys.argv[2]))
