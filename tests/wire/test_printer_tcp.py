"""The real driver against the TCP twin: every status, and a receipt read back from the rendered PNG."""
import pytest

from drivers.printer.status import CODES, PrinterStatus
from tests.support.printer import QR_PAYLOAD, SteppingClock, decode_qr, sample_receipt, tcp_printer

pytestmark = pytest.mark.wire
STATUSES = [c for c in CODES if c != "error"] + ["error(autocutter)", "error(unrecoverable)", "error(recoverable)"]


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_reads_back(tcp_twin, status):
    tcp_twin.set_status(status)
    clock = SteppingClock()  # a silent printer's 250 ms passes in a few reads
    assert tcp_printer(tcp_twin, clock=clock).status() == PrinterStatus.parse(status)


def test_status_changes_at_run_time_are_seen_on_the_next_query(tcp_twin):
    printer = tcp_printer(tcp_twin)
    assert printer.status().code == "ready"
    tcp_twin.set_status("cover_open")
    assert printer.status().code == "cover_open"
    tcp_twin.set_status("ready")
    assert printer.status().code == "ready"


def test_receipt_renders_with_its_text_and_a_qr_that_decodes(tcp_twin):
    result = tcp_printer(tcp_twin, paper=80).print_receipt(sample_receipt())
    assert result.ok and result.outcome == "printed"
    assert tcp_twin.wait_for_jobs(1)
    job = tcp_twin.last_job
    assert not job.interrupted and job.qr_payloads == [QR_PAYLOAD]
    for line in ("受理回执", "受理编号：TZ2026112700017", "证件号码：110105********002X", "  2. 结婚证",
                 "已保存在本机，网络恢复后自动转送，无需再次办理。", "咨询电话：12345", " cut "):
        assert line in job.text, line
    assert open(job.txt_path, encoding="utf-8").read() == job.text
    assert decode_qr(job.png_path) == [QR_PAYLOAD]
    from PIL import Image
    with Image.open(job.png_path) as im:
        assert im.width == 576 + 24 and im.height > 900


def test_near_end_prints_and_is_reported(tcp_twin):
    tcp_twin.set_status("paper_near_end")
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert result.ok and result.status.code == "paper_near_end"


def test_jobs_are_recorded_in_order_one_png_and_one_text_each(tcp_twin):
    printer = tcp_printer(tcp_twin)
    for n in ("A1", "B2", "C3"):
        assert printer.print_receipt(sample_receipt(tracking_number=n)).ok
    assert tcp_twin.wait_for_jobs(3)
    assert [j.number for j in tcp_twin.jobs] == [1, 2, 3]
    assert all(f"受理编号：{n}" in j.text for n, j in zip(("A1", "B2", "C3"), tcp_twin.jobs))
    import os
    assert sorted(os.listdir(tcp_twin.out_dir)) == [f"job-000{i}.{e}" for i in (1, 2, 3) for e in ("png", "txt")]


def test_printer_status_command(tcp_twin, capsys):
    import json

    from kiosk.cli import main
    tcp_twin.set_status("paper_near_end")
    assert main(["printer-status", "--device", tcp_twin.url, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert (got["code"], got["health"], got["zh"], got["en"]) == ("paper_near_end", "warning", "纸将用完", "paper near end")


def test_print_test_command_prints(tcp_twin, capsys):
    from kiosk.cli import main
    assert main(["print-test", "--device", tcp_twin.url, "--paper", "58"]) == 0
    assert capsys.readouterr().out.startswith("printed: 就绪 / ready")
    assert tcp_twin.wait_for_jobs(1) and "打印测试" in tcp_twin.last_job.text
