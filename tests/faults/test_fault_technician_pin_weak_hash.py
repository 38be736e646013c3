"""Fault (issue 19.7): `verify_pin` trusted the cost stored in the hash: a hash with N=2 verified
in 0.07 ms, and N=2^14 was below guidance for a 4–6 digit secret. The verifier now refuses a hash
below the cost it issues (N=2^17, measured in kiosk/pin.py) or beyond what it will spend, before
running scrypt; the gate shows why instead of counting wrong tries; check-config names it; and
`kiosk-admin set-pin` replaces it."""
import base64
import hashlib
import os
import subprocess
import sys
import time

import pytest

from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.pin import hash_pin, hash_problem, verify_pin
from kiosk.technician import MAX_TRIES, PinGate

pytestmark = pytest.mark.faults

PIN = "246810"
SALT = os.urandom(16)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def scrypt_hash(pin: str, n: int, r: int = 8, p: int = 1) -> str:
    h = hashlib.scrypt(pin.encode(), salt=SALT, n=n, r=r, p=p, dklen=32, maxmem=2**30)
    b = lambda x: base64.b64encode(x).decode()
    return f"scrypt${n}${r}${p}${b(SALT)}${b(h)}"


OLD_DEMO = "scrypt$16384$8$1$ZGVtby1raW9zay1zYWx0IQ==$r2rzpEenIdBQCBySY/6gHgA+BTgAq7LT9azf2y4y8HI="


@pytest.mark.parametrize("stored", [scrypt_hash(PIN, 2), scrypt_hash(PIN, 2**10, r=1), OLD_DEMO,
                                    scrypt_hash(PIN, 2**17, r=4)])
def test_a_hash_below_the_issued_cost_is_refused_even_with_the_right_pin(stored):
    assert not verify_pin(PIN, stored)
    assert "set-pin" in hash_problem(stored)


def test_a_forged_huge_cost_is_refused_without_running_scrypt():
    forged = f"scrypt${2**30}$8$1${base64.b64encode(SALT).decode()}${base64.b64encode(bytes(32)).decode()}"
    t = time.perf_counter()
    assert not verify_pin(PIN, forged)
    assert time.perf_counter() - t < 0.05  # 2^30 would allocate 128 GiB


def test_the_issued_hash_verifies():
    h = hash_pin(PIN)
    assert h.startswith("scrypt$131072$8$1$") and hash_problem(h) is None
    assert verify_pin(PIN, h) and not verify_pin("000000", h)


def test_the_gate_says_why_and_does_not_count_it_as_a_wrong_try():
    gate = PinGate(OLD_DEMO, FakeClock())
    assert gate.problem
    for _ in range(MAX_TRIES + 2):
        r = gate.attempt(PIN)
        assert not r.ok and r.problem and r.locked_for == 0


def test_check_config_names_it_and_set_pin_replaces_it(tmp_path):
    from kiosk.config import DEMO_SITE
    text = DEMO_SITE.read_text(encoding="utf-8")
    cfg_path = tmp_path / "kiosk.toml"
    new_hash = text.split('pin_hash = "')[1].split('"')[0]
    cfg_path.write_text(text.replace(new_hash, OLD_DEMO).replace(
        "[data]\n", f'[data]\nfolder = "{tmp_path}/data"\noutbox_key = "{tmp_path}/outbox.key"\n', 1))
    assert load_config(cfg_path).technician_pin_hash == OLD_DEMO  # the kiosk still starts (residents are served)
    with pytest.raises(ConfigError) as e:
        load_config(cfg_path, check_files=True)
    assert e.value.key == "technician.pin_hash" and "kiosk-admin set-pin" in e.value.reason
    from kiosk.field.selftest import check_pin
    c = check_pin(load_config(cfg_path))
    assert c.failed and "N=16384" in c.detail and "set-pin" in c.fix  # selftest says so too
    cfg_path.chmod(0o640)
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path), "set-pin", "--pin-stdin"],
                       input="135790\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr
    cfg = load_config(cfg_path, check_files=True)
    assert verify_pin("135790", cfg.technician_pin_hash)
    assert oct(cfg_path.stat().st_mode & 0o777) == oct(0o640)
    assert cfg_path.read_text().count("\n") == (text.count("\n") + 2)  # only the pin_hash line changed
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(cfg_path), "set-pin", "--pin-stdin"],
                       input="12\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "4 to 12 digits" in r.stderr
