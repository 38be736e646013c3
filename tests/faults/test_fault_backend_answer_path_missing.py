"""Fault: the profile reads the receipt number at a JSON Pointer the agency's answer does not have
(a typo, or the agency changed its API). The item is dead with the pointer and the profile line to
fix, not delivered with no reference nor retried for ever; fixed, a retry gets the original
receipt through the agency's deduplication."""
import pytest

from offline_queue.forwarder import Forwarder
from offline_queue.sim import SimulatedJurisdiction
from offline_queue.sim.multipart_rest_app import PROFILE_FILE
from offline_queue.transports import Endpoint, make_transport
from tests.support.backends import backend_request

pytestmark = pytest.mark.faults


def test_pointer_that_finds_nothing_is_dead_naming_the_line(store, tmp_path):
    text = open(PROFILE_FILE, encoding="utf-8").read()
    bad = tmp_path / "sanhe.toml"
    bad.write_text(text.replace('reference = "/data/receiveNo"', 'reference = "/data/receiptNo"'), encoding="utf-8")
    sim = SimulatedJurisdiction("multipart-rest", "sanhe").start()
    try:
        ep = Endpoint(code="sanhe", protocol="rest", url=sim.url, profile=str(bad), connect_timeout=2, read_timeout=5)
        req, _ = backend_request()
        info = store.submit(req, jurisdiction="sanhe", tracking="261202ABCDEF12")
        Forwarder(store, {"sanhe": make_transport(ep)}, rand=lambda: 0.0).run_due()
        got = store.get(info.txid)
        assert got.state == "dead"
        line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith('reference = "/data/receiveNo"'))
        assert "'/data/receiptNo'" in got.last_error and f"fix submit.answer.reference in {bad}:{line}" in got.last_error
        bad.write_text(text, encoding="utf-8")
        assert store.retry_dead() == 1
        Forwarder(store, {"sanhe": make_transport(ep)}, rand=lambda: 0.0).forward_once()
        done = store.get(info.txid)
        assert done.state == "delivered" and done.remote_reference == sim.received[info.txid].reference
        assert sim.received[info.txid].copies == 2  # the agency deduplicated by X-Request-Id
    finally:
        sim.stop()
