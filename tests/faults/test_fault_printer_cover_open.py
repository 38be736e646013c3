"""Fault: the cover is open, before a job (refused) or during one (failed)."""
import pytest

from tests.support.printer import sample_receipt, serial_printer, tcp_printer

pytestmark = pytest.mark.faults


def test_cover_open_refuses_the_job(tcp_twin):
    tcp_twin.set_status("cover_open")
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "refused", "cover_open")


def test_cover_opened_during_a_job_over_serial_fails_it(serial_twin):
    serial_twin.set_status("cover_open", after_lines=3)
    result = serial_printer(serial_twin).print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "interrupted", "cover_open")


def test_port_words(tcp_twin):
    from kiosk.devices.printer import make_printer
    tcp_twin.set_status("cover_open")
    state = make_printer(tcp_twin.url).state()
    assert (state.code, state.health, state.en) == ("cover_open", "fault", "cover open")
