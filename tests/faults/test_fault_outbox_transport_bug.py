"""Fault: a transport raises an exception nobody expected (a bug of ours, or a library's), not an
answer of the remote. The item is kept and retried — it might be transient — but it shows as
failing, with the exception's last line, where a technician looks: `queue status` and `selftest`."""
import pytest

from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.field.selftest import check_outbox
from offline_queue.forwarder import Forwarder
from offline_queue.store import INTERNAL_ERROR
from tests.support.outbox import site_config, submit

pytestmark = pytest.mark.faults


class BuggyTransport:
    def send(self, request, read_attachment):
        raise KeyError("answer_field")

    def close(self):
        pass


def test_a_transport_bug_is_retried_and_shows_as_failing(tmp_path, capsys):
    from kiosk.outbox import open_store, provision_key
    cfg, path = site_config(tmp_path)
    provision_key(cfg.outbox_key)
    store = open_store(cfg)
    info = submit(store)
    Forwarder(store, {"dachang": BuggyTransport()}, rand=lambda: 0.0).run_due()
    got = store.get(info.txid)
    assert got.state == "queued" and got.last_error.startswith(INTERNAL_ERROR) and "KeyError" in got.last_error
    st = store.stats()
    assert st["internal_errors"]["count"] == 1 and "answer_field" in st["internal_errors"]["last"]
    store.close()

    assert main(["--config", path, "queue", "status"]) == 0
    out = capsys.readouterr().out
    assert "failing: 1 item(s)" in out and "KeyError" in out

    [check] = [c for c in check_outbox(cfg, SystemClock()) if c.name == "outbox"]
    assert check.status == "fail" and "KeyError" in check.detail and "diagnostics" in check.fix


def test_the_maintenance_screen_hears_of_it_through_the_port(tmp_path):
    """KioskActions.outbox_failing (what the technician screen shows) reads the same figure."""
    from kiosk.catalog import load_catalog
    from kiosk.outbox import open_outbox, provision_key
    cfg, _ = site_config(tmp_path)
    provision_key(cfg.outbox_key)
    ob = open_outbox(cfg, load_catalog(cfg.catalog), start_forwarder=False)
    try:
        assert ob.failing() == (0, None)
        info = submit(ob.store)
        Forwarder(ob.store, {"dachang": BuggyTransport()}, rand=lambda: 0.0).run_due()
        n, last = ob.failing()
        assert n == 1 and "KeyError" in last and info.txid
    finally:
        ob.close()
