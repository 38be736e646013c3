"""Fault: the printer does not answer (powered off, cable out, wrong port): no_answer, reached
after short per-query timeouts on the injected clock, never after a 1-second serial read."""
import socket

import pytest

from drivers.printer import EscposPrinter, TcpTransport, profile_for
from tests.support.printer import SteppingClock, sample_receipt, serial_printer, tcp_printer

pytestmark = pytest.mark.faults


def test_silent_tcp_printer_refuses_the_job_with_no_answer(tcp_twin):
    tcp_twin.set_status("no_answer")
    clock = SteppingClock(step=0.05)
    result = tcp_printer(tcp_twin, clock=clock).print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "refused", "no_answer")
    assert tcp_twin.queries == 1  # gave up after the first silent query
    assert clock.reads <= 10      # 250 ms of clock in 50 ms steps: a handful of short polls


def test_silent_serial_printer(serial_twin):
    serial_twin.set_status("no_answer")
    clock = SteppingClock(step=0.05)
    assert serial_printer(serial_twin, clock=clock).status().code == "no_answer"


def test_printer_that_stops_answering_during_the_job(tcp_twin):
    tcp_twin.set_status("no_answer", after_lines=4)
    result = tcp_printer(tcp_twin, clock=SteppingClock()).print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "interrupted", "no_answer")


def test_nobody_listening_is_unreachable():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # a port nobody listens on: connection refused at once
    printer = EscposPrinter(TcpTransport("127.0.0.1", port), profile_for(80))
    result = printer.print_receipt(sample_receipt())
    assert (result.ok, result.outcome, result.status.code) == (False, "unreachable", "no_answer")
    assert "cannot open" in result.detail


def test_missing_serial_port_is_no_answer(tmp_path):
    from kiosk.devices.printer import make_printer
    state = make_printer(f"serial://{tmp_path}/ttyNOPE").state()
    assert (state.code, state.health, state.zh) == ("no_answer", "offline", "打印机无响应")
