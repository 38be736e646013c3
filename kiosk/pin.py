"""The technician PIN: stored only as an scrypt hash (`scrypt$n$r$p$salt$hash`, base64).

The cost. A 4–6 digit PIN has at most 10^6 values: no hash cost makes it safe against someone
holding the hash (the lockout in kiosk/technician.py is what protects the screen); the cost buys
time per guess. We issue N=2^17, r=8, p=1 (128 MiB), the minimum OWASP's password storage guidance
gives for scrypt. Measured on this development machine (2 shared cores, under load) with
    python -c "import hashlib,os,time; t=time.perf_counter(); hashlib.scrypt(b'246810', salt=os.urandom(16),
               n=2**17, r=8, p=1, dklen=32, maxmem=2**30); print(time.perf_counter()-t)"
N=2^14: 101 ms, 2^15: 137 ms, 2^16: 314 ms, 2^17: 548 ms, 2^18: 1424 ms (256 MiB); `make bench`
prints them again (tests/bench/test_bench_pin_cost.py; a quieter run: 55, 113, 278, 505, 1062 ms). 0.55 s once per
technician visit is acceptable at the maintenance screen; 2^18 is not (1.4 s, and 256 MiB beside
the kiosk app). An attacker with the hash then pays ~10^6 × 0.5 s ≈ 6 CPU-days for every PIN of
six digits, instead of ~1 day at the old 2^14.

The verifier trusts nothing the stored hash says about its own cost: a hash below the issued cost
(an old config's 2^14, or a forged N=2) is refused before any scrypt runs, and so is one above
MAX_N (a forged N=2^30 would make each try allocate 128 GiB). Hashes made before this cost rose are
not rehashed on the fly: the kiosk cannot write its own config (/etc/kiosk is root's), so the
technician is told to run `kiosk-admin set-pin` once (kiosk/field/provision.py)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

_N, _R, _P = 2**17, 8, 1  # the cost issued (see above)
MAX_N, MAX_R, MAX_P = 2**18, 16, 2  # above this a stored hash is refused unverified (memory and time)
_MAXMEM = 2**30  # hashlib's default (32 MiB) is below 128 * r * N = 128 MiB


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    if not pin.isdigit() or not pin.isascii() or not 4 <= len(pin) <= 12:
        raise ValueError("a PIN is 4 to 12 digits")
    salt = salt or os.urandom(16)
    h = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=_MAXMEM)
    b = lambda x: base64.b64encode(x).decode()
    return f"scrypt${_N}${_R}${_P}${b(salt)}${b(h)}"


def hash_problem(stored: str | None) -> str | None:
    """None when `stored` is a hash this kiosk will verify; otherwise why not (one line)."""
    if not stored:
        return "no PIN hash is set"
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return "not a PIN hash made by kiosk-admin (scrypt$N$r$p$salt$hash)"
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, want = base64.b64decode(parts[4], validate=True), base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return "not a PIN hash made by kiosk-admin (scrypt$N$r$p$salt$hash)"
    if len(salt) < 16 or len(want) < 32:
        return "the PIN hash's salt or digest is too short"
    if n < _N or r < _R or p < _P:
        return (f"the PIN hash was made at scrypt N={n}, r={r}, p={p}, below the N={_N}, r={_R}, p={_P} this kiosk "
                "issues: set the PIN again with `kiosk-admin set-pin`")
    if n > MAX_N or r > MAX_R or p > MAX_P or n & (n - 1):
        return f"the PIN hash's cost (N={n}, r={r}, p={p}) is beyond what this kiosk verifies: set the PIN again"
    return None


def verify_pin(pin: str, stored: str | None) -> bool:
    """True only for the right PIN against a hash of at least the issued cost."""
    if hash_problem(stored) is not None:
        return False
    _, n, r, p, salt, h = stored.split("$")
    want = base64.b64decode(h)
    try:
        got = hashlib.scrypt(pin.encode("utf-8", "surrogatepass"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want), maxmem=_MAXMEM)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, want)
