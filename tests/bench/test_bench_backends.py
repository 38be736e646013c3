"""Back-end profile benchmarks (issue 12): forwarding throughput through the nested SOAP profile
and the multipart REST profile beside the project's own contract (today's figures), each against
its simulated back end in its own process on loopback; and the cost of rendering one request
through each profile. They print figures and ratios; they never fail on a time.
Run: pytest tests/bench/test_bench_backends.py -m bench -s

Targets: REST ≥ 300/s and SOAP ≥ 100/s still; rendering ≤ 1 ms a request."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import pytest

from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.profile import LEGACY
from offline_queue.sim.multipart_rest_app import PROFILE_FILE as MULTIPART
from offline_queue.sim.nested_soap_app import PROFILE_FILE as NESTED, WSDL_FILE as NESTED_WSDL
from offline_queue.sim.soap_app import WSDL_FILE as QUYU_WSDL
from offline_queue.store import Store
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import AttachmentIn, Request
from tests.support.backends import backend_request

pytestmark = pytest.mark.bench
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N = 600
N_RENDER = 2000
TARGET = {"rest": 300, "soap": 100, "multipart-rest": 300, "nested-soap": 100}
PROTOCOL = {"rest": "rest", "soap": "soap", "multipart-rest": "rest", "nested-soap": "soap"}


@contextlib.contextmanager
def _sim_process(kind):
    """The simulated back end in its own process, as a real one would be."""
    p = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "jurisdiction", f"--{kind}", "0"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        parts = p.stdout.readline().split()
        url = parts[1]
        wsdl = parts[2] if PROTOCOL[kind] == "soap" else None
        profile = parts[-1] if kind in ("nested-soap", "multipart-rest") else None
        yield Endpoint("xianghe", PROTOCOL[kind], url, wsdl=wsdl, profile=profile)
    finally:
        p.terminate()
        p.wait(10)


def _store(tmp_path, kind: str, n: int, with_file: bool) -> Store:
    key = str(tmp_path / f"{kind}.key")
    create_key(key)
    s = Store(str(tmp_path / kind), key)
    pdf = tmp_path / "material.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    s._db.execute("PRAGMA synchronous=OFF")  # the backlog's making is not what is measured
    for _ in range(n):
        req, _ = backend_request()
        if kind == "soap":
            req = Request(req.txid, req.matter, "SubmitApplication", req.fields, values=req.values)
        s.submit(req, jurisdiction="xianghe", tracking=req.txid[:8], subject="11010519491231002X",
                 attachments=[AttachmentIn("mat0", str(pdf))] if with_file else [])
    s._db.execute("PRAGMA synchronous=FULL")
    return s


def _forward(tmp_path, kind: str, with_file: bool) -> float:
    s = _store(tmp_path / ("f" if with_file else "n"), kind, N, with_file)
    with _sim_process(kind) as ep:
        fw = Forwarder(s, {"xianghe": make_transport(ep)})
        t = time.perf_counter()
        fw.forward_once()
        rate = N / (time.perf_counter() - t)
        fw.stop()
    counts = s.counts()
    s.close()
    assert counts["delivered"] == N, counts
    return rate


def test_bench_forwarding_through_profiles(tmp_path):
    os.makedirs(tmp_path / "f")
    os.makedirs(tmp_path / "n")
    print(f"\nforwarding {N} applications (~1 KB form) to each simulated back end on loopback (own process):")
    rows = {}
    for kind in ("rest", "soap", "multipart-rest", "nested-soap"):
        for with_file in (False, True):
            sub = tmp_path / kind / ("file" if with_file else "plain")
            os.makedirs(sub / "f")
            os.makedirs(sub / "n")
            rows[kind, with_file] = r = _forward(sub, kind, with_file)
            what = f"{kind} ({'one 2 KB material' if with_file else 'no attachment'})"
            print(f"  {what:44} {r:8.0f}/s = {r / TARGET[kind]:.2f}× target {TARGET[kind]}/s")
    for new, old in (("multipart-rest", "rest"), ("nested-soap", "soap")):
        for with_file in (False, True):
            print(f"  {new} vs {old} ({'material' if with_file else 'plain'}): "
                  f"{rows[new, with_file] / rows[old, with_file]:.2f}×")


def _render_rate(t, req, files, protocol) -> float:
    read = files.__getitem__
    if protocol == "soap":
        def once():
            t.envelopes(t.render_submit(req, lambda r: read(r.sha256)))
    else:
        def once():
            t.render_submit(req, lambda r: read(r.sha256))
    once()  # warm: the WSDL, the profile
    start = time.process_time()  # CPU time: what rendering costs, not what other processes take meanwhile
    for _ in range(N_RENDER):
        once()
    return (time.process_time() - start) / N_RENDER


def test_bench_render_cost_per_request():
    req, files = backend_request(attachments=1)
    plain = Request(req.txid, req.matter, "SubmitApplication", req.fields, values=req.values)
    print(f"\nrendering one submission through each profile (uploads included), CPU time, mean of {N_RENDER}, "
          f"one 3 KB material:")
    for name, protocol, profile, wsdl, r in (
            ("quyu-rest", "rest", LEGACY["rest"], None, req),
            ("quyu-soap", "soap", LEGACY["soap"], QUYU_WSDL, plain),
            ("multipart-rest", "rest", MULTIPART, None, req),
            ("nested-soap", "soap", NESTED, NESTED_WSDL, req)):
        t = make_transport(Endpoint("x", protocol, "http://127.0.0.1:9/", wsdl=wsdl, profile=profile))
        secs = _render_rate(t, r, files, protocol)
        what = "template + zeep envelope" if protocol == "soap" else "template + prepared HTTP request"
        print(f"  {name:16} {what:34} {secs * 1e6:8.0f} µs = {secs * 1e3:.2f}× the 1 ms goal")
        t.close()
