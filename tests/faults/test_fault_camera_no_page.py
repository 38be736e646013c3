"""Fault: the document camera sees no page — nothing laid down, or a page hanging over the edge of
the shooting area. A capture raises ScannerError(no_documents) whose resident sentence says what to
do (请将材料平放在拍摄区内), the camera itself stays ready, and no PDF is left."""
import os

import pytest

from drivers.scanner.camera_twin import place, write_frames
from drivers.scanner.demo_pages import draw_page
from kiosk.devices.scanner import ScannerError, make_scanner

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("scene", ["empty desk", "page over the edge"])
def test_no_page_found_says_what_to_do(tmp_path, scene):
    page = None if scene == "empty desk" else draw_page(1)
    frame, _ = place(page, shift=(0, 0) if page is None else (950, -100), seed=4)
    folder = tmp_path / "frames"
    write_frames(str(folder), [frame])
    cam = make_scanner(f"frames://{folder}")
    out = tmp_path / "out"
    with pytest.raises(ScannerError) as e:
        cam.scan("hukou", out_dir=str(out))
    assert e.value.code == "no_documents"
    assert "请将材料平放在拍摄区内" in e.value.resident and "lay it flat" in e.value.resident_en
    assert "no page" in str(e.value)
    assert cam.state().code == "ready"  # the camera works: the page is the problem
    assert not out.exists() or os.listdir(out) == []
