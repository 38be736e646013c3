"""Fault: an item has failed more than a thousand times (an outage of weeks). The backoff is
capped before the power is computed, so no attempt count overflows it; the round records the
retry, the breaker learns of the failure, and the item is not left 'sending'."""
import sys

import pytest

from offline_queue import limits
from offline_queue.forwarder import Forwarder
from offline_queue.schedule import backoff_delay
from offline_queue.types import Retry
from tests.support.outbox import submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("attempts", [1024, 1025, 1100, 10_000, 2**31, sys.maxsize, 10**100])
@pytest.mark.parametrize("r", [0.0, 0.5, 1.0])
def test_backoff_never_overflows(attempts, r):
    d = backoff_delay(attempts, rand=lambda: r)
    assert limits.BACKOFF_CAP * (1 - limits.BACKOFF_JITTER) <= d <= limits.BACKOFF_CAP


def test_backoff_with_retry_after_at_huge_counts():
    assert backoff_delay(10**9, rand=lambda: 0.0, retry_after=10**12) == limits.RETRY_AFTER_CAP


def test_backoff_grows_then_stays_at_the_cap():
    ds = [backoff_delay(n, rand=lambda: 0.0) for n in range(0, 3000)]
    assert all(a <= b for a, b in zip(ds, ds[1:]))
    assert ds[1] == limits.BACKOFF_BASE and ds[-1] == limits.BACKOFF_CAP


class _Failing:
    def send(self, request, read_attachment):
        return Retry("HTTP 503", network=False)

    def close(self):
        pass


def test_a_round_with_an_item_past_1024_attempts_is_recorded(store, now):
    a, b = submit(store), submit(store)
    cols = [r[1] for r in store._db.execute("PRAGMA table_info(items)")]
    sets = ", ".join(f"{c}=1025" for c in ("attempts", "failures") if c in cols)
    store._db.execute(f"UPDATE items SET {sets} WHERE txid=?", (a.txid,))  # weeks of outage behind it
    fw = Forwarder(store, {"dachang": _Failing()}, rand=lambda: 0.0)
    fw.run_due()
    for it in (a, b):
        got = store.get(it.txid)
        assert got.state == "queued", got
        assert got.last_error == "HTTP 503"
    assert store.get(a.txid).next_attempt_at == pytest.approx(now() + limits.BACKOFF_CAP)
    assert fw.breakers["dachang"].failures == 2
