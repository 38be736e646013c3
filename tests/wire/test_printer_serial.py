"""The real driver against the serial twin on a pseudo-terminal: every status, raster-only printers."""
import pytest

from drivers.printer.status import CODES, PrinterStatus
from tests.support.printer import QR_PAYLOAD, SteppingClock, decode_qr, sample_receipt, serial_printer

pytestmark = pytest.mark.wire
STATUSES = [c for c in CODES if c != "error"] + ["error(autocutter)", "error(auto_recoverable)"]


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_reads_back_over_serial(serial_twin, status):
    serial_twin.set_status(status)
    clock = SteppingClock()
    assert serial_printer(serial_twin, clock=clock).status() == PrinterStatus.parse(status)
    assert clock.reads < 40  # a silent printer costs a few short polls, never pyserial's 1 s read


def test_receipt_over_serial_with_native_qr(serial_twin):
    assert serial_printer(serial_twin).print_receipt(sample_receipt()).ok
    assert serial_twin.wait_for_jobs(1)
    job = serial_twin.last_job
    assert "受理编号：TZ2026112700017" in job.text and job.qr_payloads == [QR_PAYLOAD]
    assert decode_qr(job.png_path) == [QR_PAYLOAD]


def test_printer_without_chinese_font_gets_images_that_still_read(serial_twin):
    printer = serial_printer(serial_twin, has_chinese_font=False, native_qr=False)
    assert printer.print_receipt(sample_receipt()).ok
    assert serial_twin.wait_for_jobs(1)
    job = serial_twin.last_job
    assert "受理" not in job.text and "[image 384x" in job.text  # no text bytes: all raster
    assert decode_qr(job.png_path) == [QR_PAYLOAD]


def test_the_udev_style_symlink_is_the_url(serial_twin, tmp_path):
    assert serial_twin.path == str(tmp_path / "ttyPRINTER")
    assert serial_twin.url.startswith(f"serial://{tmp_path}/ttyPRINTER")
