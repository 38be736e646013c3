"""Fault: the read answers SW3 41 (card moved away) while the card stays on the reader."""
import pytest


pytestmark = pytest.mark.faults


def test_one_sw3_41_is_retried(twin, reader_on):
    _, log = reader_on()
    twin.inject("read_failed")
    twin.place("resident-1")
    assert log.wait_for("CardRead").record.layout == "resident"
    assert log.of("CardFailed") == []


def test_sw3_41_on_every_try_is_reported_once(twin, reader_on):
    reader, log = reader_on()
    tries = reader.timings.read_retries + 1
    twin.inject("read_failed", count=tries)
    twin.place("resident-1")
    failed = log.wait_for("CardFailed")
    assert failed.code == "read_failed" and "SW3 41" in failed.detail and f"after {tries} tries" in failed.detail
    # still lying there: not read again (no failure storm) until lifted and placed again
    twin.remove()
    log.wait_for("CardRemoved")
    twin.place("resident-1")
    log.wait_for("CardRead")
    assert len(log.of("CardFailed")) == 1
