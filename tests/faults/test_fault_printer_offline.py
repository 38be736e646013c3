"""Fault: the printer is offline (or in an error), before or during a job."""
import pytest

from tests.support.printer import sample_receipt, tcp_printer

pytestmark = pytest.mark.faults


def test_offline_refuses_the_job(tcp_twin):
    tcp_twin.set_status("offline")
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "refused", "offline")


def test_autocutter_error_during_the_job_fails_it_with_the_kind(tcp_twin):
    tcp_twin.set_status("error(autocutter)", after_lines=20)
    result = tcp_printer(tcp_twin).print_receipt(sample_receipt())
    assert not result.ok and str(result.status) == "error(autocutter)"


def test_port_words_for_offline_and_error(tcp_twin):
    from kiosk.devices.printer import make_printer
    printer = make_printer(tcp_twin.url)
    tcp_twin.set_status("offline")
    assert (printer.state().health, printer.state().zh) == ("offline", "脱机")
    tcp_twin.set_status("error(unrecoverable)")
    assert printer.state().en == "printer error (unrecoverable)"
