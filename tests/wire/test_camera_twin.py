"""The document camera driver against its twin through OpenCV's real VideoCapture path: an image
sequence (CAP_IMAGES) and an MJPG video written with VideoWriter; the port makes one PDF per
material through the same material path as the scanner; the demo site scans 户口簿 with the camera."""
import re

import cv2
import numpy as np
import pytest

from drivers.scanner.camera import CameraScanner, FileSource
from drivers.scanner.camera_twin import DEMO_WARMUP, demo_frames, place, write_frames, write_video
from drivers.scanner.demo_pages import draw_page
from kiosk.devices.scanner import ScannerPair, make_scanner, make_scanners

pytestmark = pytest.mark.wire


def _brightness(img) -> float:
    return float(np.asarray(img.convert("L")).mean())


def test_image_sequence_each_capture_is_the_next_settled_page(camera_recording):
    cam = CameraScanner(FileSource(camera_recording, warmup=DEMO_WARMUP), dpi=140)
    first = [cam.scan(1)[0] for _ in range(3)]
    for page in first:  # A4 at the twin's 140 dpi: 1157 x 1637
        assert page.mode == "L" and page.height / page.width == pytest.approx(2 ** 0.5, rel=0.005)
        assert abs(page.width - 1157) <= 6
    # the settled frame, not a dark settling one: paper is bright
    assert all(_brightness(p) > 180 for p in first)
    # the three demo pages differ, and the recording starts again after the last
    assert len({round(_brightness(p)) for p in first}) == 3
    again = cam.scan(1)[0]
    assert abs(_brightness(again) - _brightness(first[0])) < 0.5


def test_without_dropping_the_settling_frames_the_page_is_darker(camera_recording):
    settled = CameraScanner(FileSource(camera_recording, warmup=DEMO_WARMUP)).scan(1)[0]
    first = CameraScanner(FileSource(camera_recording, warmup=0)).scan(1)[0]
    assert _brightness(first) < _brightness(settled) - 40


def test_mjpg_video_written_by_videowriter(tmp_path):
    frames = [place(draw_page(i), angle=a, dpi=125, seed=i)[0] for i, a in ((0, -9), (2, 13))]
    video = write_video(str(tmp_path / "desk.avi"), frames)
    cam = make_scanner(f"frames://{video}?dpi=125")
    assert cam.kind == "camera" and cam.state().code == "ready"
    pages = cam.source.scan(2, color=True)
    assert [p.mode for p in pages] == ["RGB", "RGB"]
    assert all(abs(p.width - 1034) <= 6 for p in pages)  # A4 at 125 dpi
    cam.close()


def test_port_makes_one_pdf_per_material_through_the_material_path(tmp_path):
    folder = tmp_path / "frames"
    write_frames(str(folder), [place(draw_page(2), angle=-4, seed=9)[0]])
    cam = make_scanner(f"frames://{folder}?dpi=140")
    got = cam.scan("labor_contract", out_dir=str(tmp_path / "out"))
    pdf = open(got.pdf_path, "rb").read()
    assert got.pages == 1 and pdf[:4] == b"%PDF" and got.size <= 300 * 1024
    assert len(got.preview_paths) == 1
    box = [float(v) for v in re.search(rb"/MediaBox \[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf).groups()]
    # A4 in points (595 x 842), less the material path's crop inside the paper's edge
    assert box[2] == pytest.approx(595, abs=12) and box[3] == pytest.approx(842, abs=12)


def test_the_pair_sends_the_listed_materials_to_the_camera(camera_recording, demo_pages, tmp_path):
    pair = make_scanners("sim://scanner", "sim://camera", ["hukou"], folder=demo_pages, frames=camera_recording)
    assert isinstance(pair, ScannerPair)
    assert pair.device_for("hukou") == "camera" and pair.device_for("lease") == "scanner"
    from PIL import Image

    by_camera = pair.scan("hukou", out_dir=str(tmp_path))
    by_scanner = pair.scan("lease", out_dir=str(tmp_path))
    with Image.open(by_camera.preview_paths[0]) as a, Image.open(by_scanner.preview_paths[0]) as b:
        assert a.size != b.size  # 140 dpi camera page vs the 200 dpi scan cropped to its paper
    assert [s.device for s in pair.states()] == ["scanner", "camera"]
    assert pair.state().code == "ready" and "camera: sim://camera" in pair.state().detail
    pair.close()


def test_the_demo_site_scans_hukou_with_the_camera(tmp_path):
    from kiosk.bootstrap import build
    from tests.support.site import site_config

    config = site_config(tmp_path)
    assert config.devices.camera == "sim://camera" and config.devices.camera_materials == ("hukou",)
    services = build(config, start_devices=False)
    try:
        services.start_devices()
        scanner = services.scanner
        assert isinstance(scanner, ScannerPair) and scanner.device_for("hukou") == "camera"
        matter = services.catalog.get("DC-SB-001")
        got = services.actions.scan(matter, "hukou", str(tmp_path / "scans"))
        assert got.pages == 1 and got.material == "hukou"
    finally:
        services.close()


def test_an_mjpg_frame_is_what_the_twin_wrote(tmp_path):
    frame = next(iter(demo_frames(warmup=0)))
    video = write_video(str(tmp_path / "one.avi"), [frame])
    cap = cv2.VideoCapture(video)
    ok, back = cap.read()
    cap.release()
    assert ok and back.shape == frame.shape
    assert np.abs(back.astype(int) - frame.astype(int)).mean() < 4  # MJPG is lossy, a little


def test_the_demo_recording_is_made_at_the_first_capture_not_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cam = make_scanner("sim://camera")  # the kiosk's start: no seconds spent drawing frames
    assert cam.state().code == "ready"
    assert not (tmp_path / "cache" / "kiosk" / "camera-frames-v2").exists()
    assert cam.scan("hukou", out_dir=str(tmp_path / "out")).pages == 1
    assert len(list((tmp_path / "cache" / "kiosk" / "camera-frames-v2").glob("frame-*.jpg"))) == 9
    cam.close()
