#!/usr/bin/env python3
"""Downsizes a compare grid for docs/experiments.md (dev tooling only; the product never needs Python).
Usage: scripts/thumbnail.py GRID.jpg OUT.jpg [WIDTH]"""
import sys
from PIL import Image

source, target = sys.argv[1], sys.argv[2]
width = int(sys.argv[3]) if len(sys.argv) > 3 else 900
image = Image.open(source).convert("RGB")
image.resize((width, round(image.height * width / image.width)), Image.LANCZOS).save(target, quality=80)
