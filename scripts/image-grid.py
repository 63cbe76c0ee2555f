#!/usr/bin/env python3
"""Lays images out in a labelled grid for the docs (dev tooling only; the product never needs Python).
Usage: scripts/image-grid.py OUT.jpg COLUMNS "header1|header2|..." IMAGE..."""
import sys
from PIL import Image, ImageDraw

out, columns, headers, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3].split("|"), sys.argv[4:]
height, gap, label = 256, 6, 22
images = [Image.open(p).convert("RGB") for p in paths]
images = [i.resize((round(i.width * height / i.height), height), Image.LANCZOS) for i in images]
rows = [images[r:r + columns] for r in range(0, len(images), columns)]
widths = [max(row[c].width for row in rows if c < len(row)) for c in range(columns)]
grid = Image.new("RGB", (sum(widths) + gap * (columns - 1), label + len(rows) * height + gap * (len(rows) - 1)), "white")
draw = ImageDraw.Draw(grid)
for c, text in enumerate(headers):
    draw.text((sum(widths[:c]) + gap * c + 4, 4), text, fill="black")
for r, row in enumerate(rows):
    for c, image in enumerate(row):
        grid.paste(image, (sum(widths[:c]) + gap * c, label + r * (height + gap)))
grid.save(out, quality=85)
print(f"wrote {out} ({grid.width}x{grid.height})")
