"""Fault: the scanner jams. Through real SANE (the test backend returns SANE_STATUS_JAMMED) and
through the image-folder twin: a ScannerError (KioskError) with a resident sentence, no PDF left."""
import os

import pytest

from kiosk.devices.scanner import ScannerError, make_scanner
from kiosk.errors import KioskError

pytestmark = pytest.mark.faults


def test_sane_jam_is_jammed_with_what_to_do(sane_test_backend, tmp_path):
    scanner = make_scanner("sane://test:1?opt.read_return_value=SANE_STATUS_JAMMED", dpi=50)
    try:
        with pytest.raises(ScannerError) as e:
            scanner.scan("户口簿", out_dir=str(tmp_path))
    finally:  # the test backend keeps the option between opens
        make_scanner("sane://test:1?opt.read_return_value=Default", dpi=50).scan("x", out_dir=str(tmp_path / "r"))
    assert isinstance(e.value, KioskError) and e.value.code == "jammed"
    assert e.value.resident == "扫描仪卡纸了，请联系工作人员处理后再扫描。"
    assert "jammed" in e.value.resident_en and "jammed" in str(e.value)
    assert os.listdir(tmp_path) == ["r"]  # no PDF of the jammed scan


def test_twin_jam_set_at_run_time(demo_pages, tmp_path):
    scanner = make_scanner("sim://scanner", folder=demo_pages)
    scanner.twin.set_fault("jammed")
    assert (scanner.state().code, scanner.state().health) == ("jammed", "fault")
    with pytest.raises(ScannerError) as e:
        scanner.scan("劳动合同", pages=3, out_dir=str(tmp_path))
    assert e.value.code == "jammed"
    assert os.listdir(tmp_path) == []


def test_feeder_runs_out_before_the_pages_the_material_needs(sane_test_backend, tmp_path):
    scanner = make_scanner("sane://test:0?source=adf", dpi=50)
    with pytest.raises(ScannerError) as e:
        scanner.scan("劳动合同", pages=40, out_dir=str(tmp_path))  # the test feeder holds fewer sheets
    assert e.value.code == "page_count" and "需要40页" in e.value.resident
