"""Fault: the printer is out of paper before the job: the job is refused with that status and
nothing is sent; the resident-facing port says 缺纸 / paper out."""
import pytest

from tests.support.printer import sample_receipt, tcp_printer

pytestmark = pytest.mark.faults


def test_job_is_refused_and_nothing_is_printed(tcp_twin):
    tcp_twin.set_status("paper_out")
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert not result.ok and result.outcome == "refused" and result.status.code == "paper_out"
    assert result.bytes_sent == 0
    assert tcp_twin.jobs == [] and tcp_twin.queries == 3  # DLE EOT 1, 2, 4 and no job bytes


def test_port_reports_it_in_chinese_and_english(tcp_twin):
    from kiosk.devices.printer import make_printer
    printer = make_printer(tcp_twin.url)
    tcp_twin.set_status("paper_out")
    outcome = printer.print_test()
    assert not outcome.ok
    assert (outcome.state.code, outcome.state.health, outcome.state.zh, outcome.state.en) == (
        "paper_out", "fault", "缺纸", "paper out")


def test_print_test_command_exits_1_with_one_line(tcp_twin, capsys):
    from kiosk.cli import main
    tcp_twin.set_status("paper_out")
    assert main(["print-test", "--device", tcp_twin.url]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kiosk-admin: 缺纸 / paper out"]
