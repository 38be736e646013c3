"""The image-folder scanner twin and the scanner port over it."""
import pytest

from drivers.scanner import FolderScanner, ScanError
from kiosk.devices.scanner import ScannerError, make_scanner
from kiosk.errors import KioskError, UsageError


def test_pages_come_in_folder_order_and_cycle(demo_pages):
    twin = FolderScanner(demo_pages)
    first = twin.scan(2)
    again = twin.scan(2)
    assert len(first) == 2 and len(again) == 2
    assert first[0].size == (1740, 2440) and first[0].mode == "L"
    assert list(again[1].getdata())[:50] == list(first[0].getdata())[:50]  # page 4 is page 1 again


def test_the_twin_answers_at_the_resolution_asked(demo_pages):
    img = FolderScanner(demo_pages, dpi=100).scan(1, color=True)[0]
    assert img.mode == "RGB" and img.size == (870, 1220)


def test_demo_documents_are_small_enough_to_keep(demo_pages):
    import os
    files = FolderScanner(demo_pages).files()
    assert [os.path.basename(f) for f in files] == ["01-hukou.jpg", "02-marriage.jpg", "03-contract.jpg"]
    assert all(os.path.getsize(f) < 600_000 for f in files)


def test_port_scans_one_material_into_one_pdf(demo_pages, tmp_path):
    scanner = make_scanner("sim://scanner", folder=demo_pages)
    got = scanner.scan("结婚证", pages=1, out_dir=str(tmp_path))
    assert got.pages == 1 and got.pdf_path.endswith(".pdf") and got.size < 300_000
    assert len(got.sha256) == 64 and len(got.preview_paths) == 1
    assert scanner.state().code == "ready"


def test_faults_set_at_run_time_raise_kiosk_errors_with_resident_sentences(demo_pages, tmp_path):
    scanner = make_scanner("sim://scanner", folder=demo_pages)
    scanner.twin.set_fault("cover_open")
    with pytest.raises(ScannerError) as e:
        scanner.scan("户口簿", out_dir=str(tmp_path))
    assert isinstance(e.value, KioskError) and e.value.code == "cover_open"
    assert "盖板" in e.value.resident and "cover" in e.value.resident_en
    assert scanner.state().code == "cover_open"
    scanner.twin.set_fault(None)
    assert scanner.scan("户口簿", out_dir=str(tmp_path)).pages == 1


def test_bad_urls_are_usage_errors(tmp_path):
    for url in ("sim://printer", f"folder://{tmp_path}/nope", "sim://scanner?fault=melted", "sane://x?source=tray"):
        with pytest.raises(UsageError):
            make_scanner(url)


def test_unknown_fault_code_is_refused(demo_pages):
    with pytest.raises(ValueError):
        FolderScanner(demo_pages).set_fault("melted")
    with pytest.raises(ValueError):
        FolderScanner(demo_pages).scan(0)


def test_scan_error_codes_are_a_closed_set():
    with pytest.raises(ValueError):
        ScanError("melted")
