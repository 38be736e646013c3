"""The reconnect delay both card readers use: first, 2× first, 4× first … up to a cap."""
from __future__ import annotations


def doubling(attempt: int, first: float, cap: float) -> float:
    """Delay before reconnect attempt `attempt` (0-based)."""
    return min(cap, first * (2 ** min(attempt, 30)))
