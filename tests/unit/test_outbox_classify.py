"""Which answers are delivered, retried or dead; Retry-After; SOAP fault codes; fault specs."""
import email.utils

import pytest

from offline_queue.sim.state import FaultPlan
from offline_queue.transports.common import classify_status, retry_after
from offline_queue.transports.soap import classify_fault
from offline_queue.types import Dead, Retry


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_for_the_caller(status):
    assert classify_status(status, {}) is None


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504])
def test_transient_statuses_retry(status):
    assert isinstance(classify_status(status, {}), Retry)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 413, 415, 422, 301, 302])
def test_permanent_statuses_are_dead(status):
    assert isinstance(classify_status(status, {}), Dead)


def test_retry_after_seconds_and_date():
    assert classify_status(429, {"Retry-After": "17"}).retry_after == 17
    when = email.utils.formatdate(1000 + 90, usegmt=True)
    assert retry_after(when, now=lambda: 1000) == pytest.approx(90, abs=1)
    assert retry_after("soon") is None and retry_after(None) is None


@pytest.mark.parametrize("code, kind", [
    ("soap11env:Client", Dead), ("soap11env:Client.Refused", Dead), ("Client", Dead), ("env:Sender", Dead),
    ("soap11env:Server", Retry), ("Server.InProgress", Retry), ("env:Receiver", Retry), (None, Retry),
])
def test_soap_faults(code, kind):
    assert isinstance(classify_fault(code, "msg"), kind)


def test_fault_spec_counts_and_rates():
    f = FaultPlan(seed=3)
    f.apply_spec("503*2, timeout*1")
    assert [f.next() for _ in range(4)] == ["503", "503", "timeout", None]
    f.apply_spec("500=1.0")
    assert f.next() == "500"
    f.clear()
    assert f.next() is None
    with pytest.raises(ValueError):
        f.apply_spec("explode*2")
    with pytest.raises(ValueError):
        f.apply_spec("500=2")
