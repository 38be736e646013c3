"""Every delay, timeout and retry count of the ID-card reader, in one place."""
from __future__ import annotations

import dataclasses

from drivers.backoff import doubling


@dataclasses.dataclass(frozen=True)
class Timings:
    # A SAM answers find/select within a few ms; the read moves 1,295 bytes (113 ms at 115200)
    # after the SAM has talked to the card (~0.5 s on slow readers), hence its longer timeout.
    command_timeout: float = 0.5
    read_timeout: float = 3.0
    # The gap between a "no card" answer and the next find. A resident's card waits on average
    # half a poll cycle (this gap + one find, 21 bytes = 1.8 ms at 115200) before it is seen;
    # the read itself moves 1,359 bytes (118 ms). 3 ms keeps card placed → identity at ~1.036×
    # the wire time (goal ≤ 1.05×; 4 ms gives ~1.045×, too close) while polling uses ~1,900 B/s
    # each way of the line's 11,520 and leaves it idle two thirds of the time. It was 50 ms:
    # 1.23× median, 1.45× worst. Figures: tests/bench/test_bench_identify.py.
    poll_interval: float = 0.003
    # After a find that got no usable answer (timeout, bad frame): a reader at fault is not hammered
    # and its state detail not logged hundreds of times a second.
    retry_interval: float = 0.05
    # With a card read and still lying on the reader we only need to notice its removal.
    present_poll_interval: float = 0.2
    # Find must fail this many times in a row before we call the card removed: some readers
    # answer one find with "no card" right after a read.
    removed_after_misses: int = 2
    # SW3 41 (card moved away): try find/select/read again this many times before reporting.
    read_retries: int = 2
    # No answer / bad frames this many times in a row: the reader is at fault (wrong baud, hung).
    fault_after_failures: int = 3
    # Reopening a vanished port: first delay, doubling up to the cap.
    reconnect_first: float = 0.2
    reconnect_max: float = 5.0


DEFAULT = Timings()


def backoff(attempt: int, t: Timings = DEFAULT) -> float:
    """Delay before reconnect attempt `attempt` (0-based): first, 2x first, ... capped."""
    return doubling(attempt, t.reconnect_first, t.reconnect_max)
