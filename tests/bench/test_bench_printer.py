"""Benchmark: a receipt's layout + encode + send to the TCP twin (status before and after included),
median of many; beside python-escpos printing the same lines its own way, in the same run."""
import statistics
import time

import pytest

from drivers.printer import EscposPrinter, TcpTransport, layout, profile_for
from drivers.printer.encoder import encode
from drivers.printer.ops import Qr, Text
from tests.support.printer import sample_receipt

pytestmark = pytest.mark.bench
RUNS = 40
TARGET_MS = 20.0


def _median_ms(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def test_bench_receipt_to_the_twin(tcp_twin):
    receipt = sample_receipt()
    rows = []
    for paper in (58, 80):
        profile = profile_for(paper)
        printer = EscposPrinter(TcpTransport(tcp_twin.host, tcp_twin.port), profile)
        printer.print_receipt(receipt)  # warm up: fonts, imports, the twin's first render
        pure = _median_ms(lambda: encode(layout(receipt, profile), profile))
        full = _median_ms(lambda: printer.print_receipt(receipt))
        rows.append((paper, pure, full))

    from escpos.printer import Network
    profile = profile_for(80)
    lines = [op for op in layout(receipt, profile) if isinstance(op, (Text, Qr))]

    def escpos_own_way():
        p = Network(tcp_twin.host, tcp_twin.port, timeout=3)
        p.open()
        for op in lines:
            if isinstance(op, Text):
                p.set(align=op.align, bold=op.bold)
                p.textln(op.text)
            else:
                p.qr(op.payload, size=op.module, native=True)
        p.cut()
        p.close()

    escpos_own_way()
    baseline = _median_ms(escpos_own_way, runs=15)
    print()
    for paper, pure, full in rows:
        print(f"bench printer {paper} mm: layout+encode median {pure:.2f} ms; layout+encode+status+send+status "
              f"to the twin median {full:.2f} ms (target <= {TARGET_MS:.0f} ms: "
              f"{'met' if full <= TARGET_MS else 'NOT met'}); python-escpos own text path, no status: "
              f"{baseline:.2f} ms; ratio {full / baseline:.2f}")
    assert tcp_twin.wait_for_jobs(2 * (RUNS + 1), timeout=120)
