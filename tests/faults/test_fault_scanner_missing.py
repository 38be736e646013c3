"""Fault: no scanner: SANE has no such device, or the image folder is empty. The port says so
in its state and a scan raises ScannerError(no_device) with a resident sentence."""
import pytest

from drivers.scanner import FolderScanner
from kiosk.devices.scanner import KioskScanner, ScannerError, make_scanner

pytestmark = pytest.mark.faults


def test_sane_device_not_there(sane_test_backend, tmp_path):
    scanner = make_scanner("sane://test:9")
    state = scanner.state()
    assert (state.code, state.health, state.zh) == ("no_device", "absent", "未连接扫描仪")
    with pytest.raises(ScannerError) as e:
        scanner.scan("户口簿", out_dir=str(tmp_path))
    assert e.value.code == "no_device" and "联系工作人员" in e.value.resident


def test_empty_image_folder(tmp_path):
    scanner = KioskScanner(FolderScanner(str(tmp_path)), url=f"folder://{tmp_path}", dpi=200)
    assert scanner.state().code == "no_device"
    with pytest.raises(ScannerError) as e:
        scanner.scan("户口簿", out_dir=str(tmp_path))
    assert e.value.code == "no_device"


def test_scan_command_exits_1_with_one_line(sane_test_backend, tmp_path, capsys):
    from kiosk.cli import main
    assert main(["scan", "--device", "sane://test:9", "--out", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_device" in err[0]
