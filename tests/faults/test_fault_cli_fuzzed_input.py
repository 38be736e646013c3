"""Fault (issue 19): fuzzed input to `check-config`, `catalog check` and `submit --identity`. Whatever
the file holds, the command answers exit 0 or 2 with no traceback and no "internal error", and
never hangs. Runs in-process (fast) under an alarm: an example that takes more than HANG_S seconds
fails the test instead of blocking the run. Example counts are modest (the three run in ~20 s on
the 2-core CI machine)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog.loader import SAMPLE
from kiosk.cli import main
from kiosk.outbox import provision_key
from tests.support.outbox import resident, site_config

pytestmark = pytest.mark.faults

HANG_S = 10
# KIOSK_FUZZ_EXAMPLES=2000 for a longer, random hunt; the tiers run a fixed 60 per command.
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="KIOSK_FUZZ_EXAMPLES" not in os.environ,
                database=None,  # nothing kept from an earlier run (a fresh TMPDIR and HOME in CI)
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


class Hang(BaseException):  # not an Exception: main()'s own handler must not swallow it
    pass


def _alarm(*_):
    raise Hang(f"no answer within {HANG_S} s")


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(list(argv))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return rc, err.getvalue()


def answered(rc: int, err: str) -> None:
    assert rc in (0, 2), (rc, err[:500])
    assert "Traceback" not in err and "internal error" not in err, err[:500]
    if rc == 2:
        assert err.strip(), "exit 2 with nothing said"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    from kiosk.cli import build_parser
    build_parser()  # the command modules imported once, outside the examples' alarm
    d = tmp_path_factory.mktemp("fuzz")
    _, cfg = site_config(d)
    provision_key(str(d / "keys" / "outbox.key"))
    return d, cfg


# ---- check-config ------------------------------------------------------------------------------
GOOD_TOML = '''[kiosk]
id = "dachang-hall-01"
site = "大厂"
site_jurisdiction = "dachang"
[data]
folder = "/var/lib/kiosk"
outbox_key = "/etc/kiosk/outbox.key"
[devices]
printer = "tcp://127.0.0.1:9100"
[ui]
idle_timeout = 90
[jurisdictions.dachang]
protocol = "rest"
endpoint = "https://example.invalid/api"
'''
SECTIONS = ["kiosk", "data", "devices", "ui", "technician", "jurisdictions.dachang", "jurisdictions.x", "other"]
KEYS = ["id", "site", "site_jurisdiction", "folder", "outbox_key", "catalog", "printer", "scanner", "idreader",
        "printer_paper", "language", "idle_timeout", "pin_hash", "protocol", "endpoint", "wsdl", "ca_bundle",
        "client_cert", "credentials", "read_timeout", "profile", "x"]
toml_scalar = st.one_of(
    st.text(max_size=40).map(json.dumps),  # a JSON string is a TOML basic string
    st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=False).map(lambda f: repr(f).replace("inf", "1e999")),
    st.sampled_from(["true", "false", "1979-05-27", "[]", "{}", '"sim://printer"', '"serial:///dev/ttyS0"',
                     '"https://a.invalid/"', '"http://10.0.0.1/"', '"rest"', '"soap"', '"/dev/zero"', '"scrypt$2$8$1$a$b"']))
toml_value = st.recursive(toml_scalar, lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
                          max_leaves=8)
toml_doc = st.lists(st.tuples(st.sampled_from(SECTIONS), st.lists(st.tuples(st.sampled_from(KEYS), toml_value), max_size=6)),
                    max_size=6).map(lambda secs: "\n".join(f"[{s}]\n" + "\n".join(f"{k} = {v}" for k, v in kv) for s, kv in secs))


@st.composite
def spliced(draw, text: str):
    """The good text with a random piece cut out and random characters put in."""
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 40)))
    ins = draw(st.text(alphabet=string.printable + "[]{}=\"'#\\大厂\x00\x7f", max_size=30))
    return text[:i] + ins + text[j:]


@FUZZ
@given(doc=st.one_of(toml_doc, spliced(GOOD_TOML), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_check_config_answers_every_input(work, doc):
    d, _ = work
    p = d / "fuzz.toml"
    p.write_text(doc, encoding="utf-8", errors="surrogateescape")
    answered(*run("check-config", str(p)))


# ---- catalog check ---------------------------------------------------------------------------------
json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
                          lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
SAMPLE_MATTERS = json.loads(SAMPLE.read_text(encoding="utf-8"))["matters"][:6]


@st.composite
def mutated_catalog(draw):
    """A few real matters with one value somewhere replaced by random JSON."""
    matters = json.loads(json.dumps(SAMPLE_MATTERS))
    m = draw(st.sampled_from(matters))
    target = m
    path = draw(st.lists(st.integers(0, 20), min_size=1, max_size=3))
    for step in path[:-1]:
        children = [k for k in (target if isinstance(target, dict) else range(len(target)))
                    if isinstance(target[k], (dict, list)) and target[k]] if isinstance(target, (dict, list)) else []
        if not children:
            break
        target = target[children[step % len(children)]]
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    if keys:
        target[keys[path[-1] % len(keys)]] = draw(json_value)
    return json.dumps({"format": 1, "matters": matters}, ensure_ascii=False)


@FUZZ
@given(doc=st.one_of(mutated_catalog(), json_value.map(json.dumps),
                     spliced(json.dumps({"format": 1, "matters": SAMPLE_MATTERS[:1]}, ensure_ascii=False))))
def test_catalog_check_answers_every_input(work, doc):
    d, _ = work
    p = d / "fuzz.json"
    p.write_text(doc, encoding="utf-8", errors="surrogateescape")
    rc, err = run("catalog", "check", str(p))
    answered(rc, err)
    if rc == 0:  # what the validator accepts, the kiosk can search and validate a form with
        from kiosk.catalog import load_catalog
        cat = load_catalog(str(p))
        cat.search("gjj")
        cat.search("公积金")
        for m in cat.matters:
            for f in m.fields:
                f.validate("1" * min(f.max_length, 60) + "!")


# ---- submit --identity ------------------------------------------------------------------------------
IDENTITY_KEYS = ["card_type", "name", "id_number", "sex", "birth_date", "name_en", "ethnicity", "address", "issuer",
                 "valid_from", "valid_to", "long_term", "pass_number", "nationality", "card_number", "region_code",
                 "id_number_valid", "photo", "other"]


@st.composite
def identity_doc(draw):
    d = resident().to_json()
    for k in draw(st.lists(st.sampled_from(IDENTITY_KEYS), max_size=4)):
        if draw(st.booleans()):
            d[k] = draw(json_value)
        else:
            d.pop(k, None)
    return json.dumps(d, ensure_ascii=False)


@FUZZ
@given(doc=st.one_of(identity_doc(), json_value.map(json.dumps), spliced(json.dumps(resident().to_json(), ensure_ascii=False))),
       matter=st.sampled_from(["DC-GJJ-002", "DC-MZ-001", "TZ-HJ-001"]))
def test_submit_identity_answers_every_input(work, doc, matter):
    d, cfg = work
    p = d / "identity.json"
    p.write_text(doc, encoding="utf-8", errors="surrogateescape")
    answered(*run("--config", cfg, "submit", "--matter", matter, "--identity", str(p), "--field", "phone=13800138000"))
