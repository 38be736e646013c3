"""Fault (issue 19.8): bad input answered as "internal error", exit 1, a traceback, or a hang,
instead of exit 2 with one line. One parametrised test per command over a corpus of bad inputs:
the files in tests/faults/bad_inputs/<command>/ (add one for every bug found) and the inputs that
cannot be files in a repository (deep nesting, /dev/zero, a FIFO, non-UTF-8 arguments).

Each case: exit 2, exactly one line on stderr, no "Traceback", no "internal error"."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.outbox import provision_key
from tests.support.outbox import pdf_file, resident, site_config

pytestmark = pytest.mark.faults

CORPUS = Path(__file__).with_name("bad_inputs")
ROOT = Path(__file__).resolve().parents[2]


def _made(tmp: Path, name: str) -> str:
    """Inputs made at run time: too big or too odd to keep as files."""
    p = tmp / name
    if name == "deep.toml":
        p.write_text("a = " + "[" * 100_000)
    elif name == "deep_tables.toml":
        p.write_text("a = " + "{b = " * 5_000)
    elif name in ("deep.json", "deep_identity.json"):
        p.write_text("[" * 100_000 + "]" * 100_000)
    elif name == "deep_object.json":
        p.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    elif name == "big.toml":
        p.write_text("# " + "x" * (300 * 1024))
    elif name == "big_catalog.json":
        with open(p, "wb") as f:  # sparse: 40 MiB without writing them
            f.truncate(40 * 1024 * 1024)
    elif name == "fifo":
        os.mkfifo(p)  # no writer: reading must not hang
    elif name == "folder":
        p.mkdir()
    else:
        raise KeyError(name)
    return str(p)


def _cases(kind: str, made: tuple[str, ...]) -> list:
    files = sorted(CORPUS.joinpath(kind).iterdir())
    return ([pytest.param(str(f), id=f.stem) for f in files]
            + [pytest.param(f"made:{m}", id=m) for m in made]
            + [pytest.param("/dev/zero", id="dev_zero"), pytest.param("/nonexistent/x", id="missing")])


def _path(arg: str, tmp: Path) -> str:
    return _made(tmp, arg[5:]) if arg.startswith("made:") else arg


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def refused(rc: int, err: str) -> None:
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(err) < 1000, err[:200]  # an over-long value is not echoed back whole


@pytest.mark.parametrize("arg", _cases("config", ("deep.toml", "deep_tables.toml", "big.toml", "fifo", "folder")))
def test_check_config_refuses(arg, tmp_path, capsys):
    rc, out, err = run(capsys, "check-config", "--template", _path(arg, tmp_path))
    refused(rc, err)


@pytest.mark.parametrize("arg", _cases("catalog", ("deep.json", "deep_object.json", "big_catalog.json", "fifo", "folder")))
def test_catalog_check_refuses(arg, tmp_path, capsys):
    rc, out, err = run(capsys, "catalog", "check", _path(arg, tmp_path))
    refused(rc, err)


@pytest.fixture
def site(tmp_path):
    _, path = site_config(tmp_path)
    provision_key(str(tmp_path / "keys" / "outbox.key"))
    ident = tmp_path / "id.json"
    ident.write_text(json.dumps(resident().to_json(), ensure_ascii=False), encoding="utf-8")
    pdf = pdf_file(tmp_path, "scan.pdf")
    good = ["--field", "phone=13800138000", "--field", "bank_account=6222020200112233445", "--attach",
            f"id_card={pdf}", "--attach", f"loan_contract={pdf}", "--attach", f"repayment={pdf}"]
    return path, str(ident), good


def _submit_cases() -> list:
    ident = [pytest.param(("identity", p), id=f"identity-{i.id}") for i in _cases(
        "identity", ("deep_identity.json", "deep_object.json", "fifo", "folder")) for p in [i.values[0]]]
    field = [pytest.param(("field", a), id=f"field-{n}") for n, a in (
        ("not_utf8", "phone=" + b"\xff\xfe".decode("utf-8", "surrogateescape")),
        ("not_utf8_key", b"\xb5\xe7\xbb\xb0".decode("utf-8", "surrogateescape") + "=13800138000"),
        ("far_too_long", "phone=" + "1" * 100_000),
        ("no_equals", "phone"),
        ("empty_key", "=13800138000"),
        ("unknown_field", "colour=red"),
        ("given_twice", "bank_account=6222020200112233445"),
        ("control_characters", "phone=138\n00138000"),
    )]
    attach = [pytest.param(("attach", a), id=f"attach-{n}") for n, a in (
        ("dev_zero", "id_card=/dev/zero"), ("missing", "id_card=/nonexistent.pdf"), ("unknown_material", "photo=PDF"),
        ("not_a_pdf", "id_card=IDENT"), ("no_equals", "id_card"), ("folder", "id_card=/"),
        ("not_utf8", "id_card=" + b"\xff.pdf".decode("utf-8", "surrogateescape")))]
    other = [pytest.param(("argv", a), id=f"argv-{n}") for n, a in (
        ("matter_not_utf8", ["--matter", b"\xff".decode("utf-8", "surrogateescape")]),
        ("matter_unknown", ["--matter", "XX-NOPE-001"]),
        ("matter_query", ["--matter", "DC-GJJ-001"]),
        ("delivery_mail_without_address", ["--delivery", "mail"]))]
    return ident + field + attach + other


@pytest.mark.parametrize("case", _submit_cases())
def test_submit_refuses(case, site, tmp_path, capsys):
    cfg, ident, good = site
    what, arg = case
    argv = ["--matter", "DC-GJJ-002", "--identity", ident]
    extra = list(good)
    if what == "identity":
        argv[3] = _path(arg, tmp_path)
    elif what == "field":
        extra += ["--field", arg]
    elif what == "attach":
        extra = [a for a in extra if not a.startswith("id_card=")]
        extra.remove("--attach")
        extra += ["--attach", arg.replace("PDF", extra[-1].partition("=")[2]).replace("IDENT", ident)]
    elif arg[0] == "--matter":
        argv = arg + argv[2:]
    else:
        extra += arg
    rc, out, err = run(capsys, "--config", cfg, "submit", *argv, *extra)
    refused(rc, err)
    assert main(["--config", cfg, "queue", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr()[0])["counts"]["queued"] == 0  # nothing queued


def test_the_good_submit_of_these_cases_is_queued(site, capsys):
    """The baseline every case above breaks one part of."""
    cfg, ident, good = site
    rc, out, err = run(capsys, "--config", cfg, "submit", "--matter", "DC-GJJ-002", "--identity", ident, *good)
    assert rc == 0, err


@pytest.mark.parametrize("argv", [["check-config", "/dev/zero"], ["catalog", "check", "/dev/zero"]])
def test_dev_zero_stops_at_the_limit_as_a_real_process(argv):
    """As a technician's shell runs it: bounded by a timeout, one line, exit 2."""
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", *argv], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "too large" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_non_utf8_field_byte_from_a_real_argv(site):
    cfg, ident, good = site
    argv = [sys.executable.encode(), b"-m", b"kiosk.cli", b"--config", cfg.encode(), b"submit", b"--matter", b"DC-GJJ-002",
            b"--identity", ident.encode(), *[a.encode() for a in good], b"--field", b"phone=\xff\xfe"]
    r = subprocess.run(argv, capture_output=True, cwd=ROOT, timeout=60)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2 and len(err.strip().splitlines()) == 1 and "not UTF-8" in err, err
