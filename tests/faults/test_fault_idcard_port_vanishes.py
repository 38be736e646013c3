"""Fault: the serial port vanishes (USB unplugged) and returns at the same path."""
import pytest


pytestmark = pytest.mark.faults


def test_reader_goes_offline_and_reconnects(twin, reader_on):
    reader, log = reader_on()
    twin.place("resident-1")
    log.wait_for("CardRead")
    twin.vanish()
    log.wait_for("StateChanged", code="offline")
    log.wait_for("CardRemoved")  # the card cannot be known to be there any more
    twin.come_back()
    log.wait_for("StateChanged", code="ready", count=2)
    assert log.wait_for("CardRead", count=2).record.name == "张三"  # still on: read again


def test_port_absent_at_start_then_plugged_in(twin, reader_on):
    twin.vanish()
    from drivers.idcard.reader import IdCardReader
    from tests.support.idcard import FAST, EventLog

    log = EventLog()
    r = IdCardReader(twin.path, on_event=log, timings=FAST)
    r.start()
    try:
        log.wait_for("StateChanged", code="offline")
        twin.place("J-1")
        twin.come_back()
        assert log.wait_for("CardRead").record.layout == "J"
    finally:
        r.stop()
