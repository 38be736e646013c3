"""Fault: the document camera is unplugged. Through the real V4L2 path (this machine has no
/dev/video device: exactly an unplugged camera) and through the twin's recording taken away
between captures: the port is offline (no_device, absent) in the camera's words, a capture raises
ScannerError(no_device) with a resident sentence, no PDF is left, the scanner beside it still
works, and a camera plugged back in works again without a restart."""
import os
import shutil

import pytest

from drivers.scanner.camera_twin import place, write_frames
from drivers.scanner.demo_pages import draw_page
from kiosk.devices.scanner import ScannerError, make_scanner, make_scanners
from kiosk.errors import KioskError

pytestmark = pytest.mark.faults


def test_v4l2_camera_not_there_is_offline(tmp_path):
    device = "/dev/video7"
    assert not os.path.exists(device)
    cam = make_scanner(f"v4l2://{device}")
    state = cam.state()
    assert (state.device, state.code, state.health, state.zh) == ("camera", "no_device", "absent", "未连接高拍仪")
    assert device in state.detail
    with pytest.raises(ScannerError) as e:
        cam.scan("hukou", out_dir=str(tmp_path))
    assert isinstance(e.value, KioskError) and e.value.code == "no_device"
    assert e.value.resident == "高拍仪暂时无法使用，请联系工作人员。" and "document camera" in e.value.resident_en
    assert os.listdir(tmp_path) == []


def test_a_device_that_is_not_a_camera(tmp_path):
    cam = make_scanner("v4l2:///dev/null")
    assert cam.state().code == "no_device" and "not a video device" in cam.state().detail


def test_twin_unplugged_between_captures_and_plugged_back(tmp_path):
    folder = tmp_path / "frames"
    write_frames(str(folder), [place(draw_page(0), angle=6, seed=2)[0]])
    cam = make_scanner(f"frames://{folder}")
    assert cam.scan("hukou", out_dir=str(tmp_path / "a")).pages == 1
    shutil.move(str(folder), str(tmp_path / "away"))  # the cable pulled
    assert cam.state().code == "no_device"
    with pytest.raises(ScannerError) as e:
        cam.scan("hukou", out_dir=str(tmp_path / "b"))
    assert e.value.code == "no_device" and "高拍仪" in e.value.resident
    assert not (tmp_path / "b").exists() or os.listdir(tmp_path / "b") == []
    shutil.move(str(tmp_path / "away"), str(folder))  # plugged back in
    assert cam.state().code == "ready"
    assert cam.scan("hukou", out_dir=str(tmp_path / "c")).pages == 1


def test_the_scanner_beside_an_unplugged_camera_still_scans(demo_pages, tmp_path):
    pair = make_scanners("sim://scanner", "v4l2:///dev/video7", ["hukou"], folder=demo_pages)
    state = pair.state()
    assert (state.device, state.code, state.health) == ("scanner", "no_device", "absent")
    assert "camera: " in state.detail and "scanner: sim://scanner" in state.detail
    with pytest.raises(ScannerError) as e:
        pair.scan("hukou", out_dir=str(tmp_path))
    assert e.value.code == "no_device" and "高拍仪" in e.value.resident
    assert pair.scan("lease", out_dir=str(tmp_path)).pages == 1


def test_the_demo_panel_can_unplug_the_pair_s_camera(camera_recording, demo_pages, tmp_path):
    pair = make_scanners("sim://scanner", "sim://camera", ["hukou"], folder=demo_pages, frames=camera_recording)
    pair.camera_twin.set_fault("no_device")
    assert [s.code for s in pair.states()] == ["ready", "no_device"]
    with pytest.raises(ScannerError):
        pair.scan("hukou", out_dir=str(tmp_path))
    assert pair.scan("lease", out_dir=str(tmp_path)).pages == 1


def test_twin_fault_set_at_run_time(camera_recording, tmp_path):
    cam = make_scanner("sim://camera", frames=camera_recording)
    cam.twin.set_fault("no_device")
    assert cam.state().code == "no_device"
    with pytest.raises(ScannerError):
        cam.scan("hukou", out_dir=str(tmp_path))
    cam.twin.set_fault(None)
    assert cam.scan("hukou", out_dir=str(tmp_path)).pages == 1
