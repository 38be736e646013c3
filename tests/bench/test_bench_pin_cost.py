"""What the technician PIN's scrypt cost costs here (issue 19.7): the time of one hash at
N=2^14..2^18 (r=8, p=1) and its memory, beside the cost kiosk/pin.py issues; and what a brute
force of every 6-digit PIN would take on one core of this machine at each cost. It prints figures;
it never fails on a time.
Run: pytest tests/bench/test_bench_pin_cost.py -m bench -s"""
from __future__ import annotations

import hashlib
import os
import time

import pytest

from kiosk import pin

pytestmark = pytest.mark.bench


def test_bench_scrypt_cost_for_the_pin():
    issued = pin._N
    print(f"\nscrypt r=8 p=1, best of 3 on this machine ({os.cpu_count()} cores); the kiosk issues N=2^{issued.bit_length() - 1}")
    for e in range(14, 19):
        n = 2 ** e
        best = min(_once(n) for _ in range(3))
        days = 10**6 * best / 86400
        mark = "  <- issued" if n == issued else ""
        print(f"  N=2^{e}: {best * 1000:7.0f} ms, {128 * 8 * n // 2**20:4d} MiB; every 6-digit PIN on one core: "
              f"{days:5.1f} days{mark}")


def _once(n: int) -> float:
    t = time.perf_counter()
    hashlib.scrypt(b"246810", salt=os.urandom(16), n=n, r=8, p=1, dklen=32, maxmem=2**30)
    return time.perf_counter() - t
