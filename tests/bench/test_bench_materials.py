"""Benchmark: material processing per A4 page at 200 dpi (crop, levels, white paper, JPEG, PDF):
time and PDF size, beside img2pdf of the unprocessed page in the same run."""
import io
import os
import statistics
import time

import img2pdf
import pytest
from PIL import Image

from drivers.scanner import FolderScanner
from drivers.scanner.materials import encode_page, process_page

pytestmark = pytest.mark.bench
RUNS = 5
TARGET_MS, TARGET_KB = 300, 300
SAMPLE_DIR = "/tmp/kiosk-bench"


def _raw_pdf(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)  # lossless, as the scanner delivered it
    return img2pdf.convert(buf.getvalue())


def test_bench_material_pages(demo_pages):
    os.makedirs(SAMPLE_DIR, exist_ok=True)
    names = (("户口簿", "01-hukou", False), ("结婚证", "02-marriage", True), ("劳动合同", "03-contract", False))
    scanner = FolderScanner(demo_pages, dpi=200)
    print()
    for material, stem, colour in names:  # colour as the sample catalog marks these materials
        (img,) = scanner.scan(1, color=colour)
        times, pdf = [], b""
        for _ in range(RUNS):
            t = time.perf_counter()
            page = process_page(img, colour=colour)
            pdf = img2pdf.convert(encode_page(page, 200))
            times.append((time.perf_counter() - t) * 1000)
        ms = statistics.median(times)
        t = time.perf_counter()
        raw = _raw_pdf(img)
        raw_ms = (time.perf_counter() - t) * 1000
        kb, raw_kb = len(pdf) / 1024, len(raw) / 1024
        sample = os.path.join(SAMPLE_DIR, f"processed-{stem}.png")
        page.save(sample)
        print(f"bench materials {material} ({'colour' if colour else 'gray'}, {img.width}x{img.height}): "
              f"processed {ms:.0f} ms, {kb:.0f} KB per page (targets <= {TARGET_MS} ms, <= {TARGET_KB} KB: "
              f"{'met' if ms <= TARGET_MS and kb <= TARGET_KB else 'NOT met'}); unprocessed img2pdf "
              f"{raw_ms:.0f} ms, {raw_kb:.0f} KB; size ratio {kb / raw_kb:.2f}; page: {sample}")
