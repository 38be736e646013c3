"""Fault: `kiosk-admin queue forward --once` beside a running forwarder, or interrupted half-way.
It takes the same one-per-outbox lock as `queue forward` (a second forwarder is bad usage: exit 2,
one line), gives its leases back when it ends however it ends, and purges like a round does."""
import json

import pytest

from kiosk.cli import main
from kiosk.clock import FakeClock
from kiosk.outbox import open_outbox
from offline_queue.types import OutboxError
from tests.support.outbox import site_config, stand_in_catalog, transaction

pytestmark = pytest.mark.faults


def test_a_second_forwarder_is_refused_in_one_line(tmp_path, capsys):
    cfg, path = site_config(tmp_path)
    box = open_outbox(cfg, stand_in_catalog(), start_forwarder=True)  # the kiosk's own forwarder runs
    try:
        rc = main(["--config", path, "queue", "forward", "--once"])
        out, err = capsys.readouterr()
        assert rc == 2, (rc, out, err)
        assert len(err.strip().splitlines()) == 1 and "another forwarder" in err and "Traceback" not in err
    finally:
        box.close()
    rc = main(["--config", path, "queue", "forward", "--once", "--json"])  # the lock went with it
    out, err = capsys.readouterr()
    assert rc == 0 and json.loads(out)["sending"] == 0, err


def test_once_purges_what_is_past_retention(tmp_path):
    cfg, _ = site_config(tmp_path)
    clock = FakeClock()
    box = open_outbox(cfg, stand_in_catalog(), clock=clock, start_forwarder=False)
    try:
        tx = transaction()
        box.submit(tx)
        assert box.forward_once()["delivered"] == 1
        clock.advance((cfg.retention_days + 1) * 86400)
        box.forward_once()
        assert box.store.get(tx.id).purged_at is not None
    finally:
        box.close()


class _CtrlC:
    """The technician presses Ctrl-C while the second send is on the wire."""

    def __init__(self, inner):
        self.inner, self.n = inner, 0

    def send(self, request, read_attachment):
        self.n += 1
        if self.n == 2:
            raise KeyboardInterrupt
        return self.inner.send(request, read_attachment)

    def close(self):
        self.inner.close()


def test_interrupted_once_gives_its_leases_back(tmp_path):
    cfg, _ = site_config(tmp_path)
    clock = FakeClock()
    box = open_outbox(cfg, stand_in_catalog(), clock=clock, start_forwarder=False)
    try:
        for _ in range(6):
            box.submit(transaction())
        box.forwarder.transports["dachang"] = _CtrlC(box.forwarder.transports["dachang"])
        with pytest.raises(KeyboardInterrupt):
            box.forward_once()
        c = box.counts()
        assert c["sending"] == 0 and c["queued"] + c["delivered"] == 6, c
        # and the lock was given back: a forwarder can start at once
        box.forwarder.transports["dachang"] = box.forwarder.transports["dachang"].inner
        assert box.forward_once()["delivered"] == 6
    finally:
        box.close()


def test_once_holds_the_lock_while_it_runs(tmp_path):
    cfg, _ = site_config(tmp_path)
    box = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    other = open_outbox(cfg, stand_in_catalog(), start_forwarder=False)
    try:
        seen = []

        class _Peek:
            def __init__(self, inner):
                self.inner = inner

            def send(self, request, read_attachment):
                try:
                    other.forwarder.start()
                    seen.append("started")
                    other.forwarder.stop()
                except OutboxError as e:
                    seen.append(str(e))
                return self.inner.send(request, read_attachment)

            def close(self):
                self.inner.close()

        box.submit(transaction())
        box.forwarder.transports["dachang"] = _Peek(box.forwarder.transports["dachang"])
        box.forward_once()
        assert len(seen) == 1 and "another forwarder" in seen[0], seen
    finally:
        other.close()
        box.close()
