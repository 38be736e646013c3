"""Backoff arithmetic and the circuit breaker, driven by numbers, never by sleeping."""
from hypothesis import given, settings, strategies as st

from offline_queue import limits
from offline_queue.schedule import Breaker, backoff_delay


def test_backoff_doubles_without_jitter():
    d = [backoff_delay(n, rand=lambda: 0.0) for n in (1, 2, 3, 4)]
    assert d == [limits.BACKOFF_BASE * 2 ** i for i in range(4)]


def test_backoff_is_capped():
    assert backoff_delay(100, rand=lambda: 0.0) == limits.BACKOFF_CAP


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=200), st.floats(min_value=0, max_value=0.999999))
def test_backoff_stays_within_jitter_band(attempts, r):
    d = backoff_delay(attempts, rand=lambda: r)
    full = min(limits.BACKOFF_CAP, limits.BACKOFF_BASE * limits.BACKOFF_FACTOR ** (max(1, attempts) - 1))
    assert full * (1 - limits.BACKOFF_JITTER) - 1e-9 <= d <= full + 1e-9


def test_retry_after_is_honoured_when_longer_and_capped():
    assert backoff_delay(1, rand=lambda: 0.0, retry_after=120) == 120
    assert backoff_delay(1, rand=lambda: 0.0, retry_after=1) == limits.BACKOFF_BASE
    assert backoff_delay(1, rand=lambda: 0.0, retry_after=10 ** 9) == limits.RETRY_AFTER_CAP


def test_breaker_opens_after_threshold_then_probes_once():
    b = Breaker(failures=3, cooldown=30)
    for t in (0, 1):
        b.failure(t)
        assert b.state(t) == "closed"
    b.failure(2)
    assert b.state(2) == "open" and not b.allow(10)
    assert b.state(32) == "half_open"
    assert b.allow(32) and not b.allow(32)  # one probe only
    b.failure(33)  # the probe failed: open again, longer
    assert b.state(33 + 59) == "open" and b.state(33 + 60) == "half_open"
    assert b.allow(100)
    b.success()
    assert b.state(100) == "closed" and b.allow(100)


def test_breaker_cooldown_is_capped():
    b = Breaker(failures=1, cooldown=30, cooldown_cap=100)
    b.failure(0)
    t = 0.0
    for _ in range(10):
        t = b.reopens_at()
        assert b.allow(t)
        b.failure(t)
    assert b.cooldown == 100


def test_reset_closes_at_once():
    b = Breaker(failures=1)
    b.failure(0)
    b.reset()
    assert b.state(0) == "closed"
