"""Catalog search at 3,600 and 36,000 matters, per query type, beside a naive linear scan
measured in the same run. Targets: median ≤ 0.5 ms at 3,600, ≤ 5 ms at 36,000, and at 36,000
at least 2× faster than the naive scan. Figures only; nothing fails on a time."""
import statistics
import time

import pytest

from kiosk.catalog import Catalog, load_catalog
from kiosk.catalog.search import naive_prepare, naive_search
from kiosk.catalog.synthetic import synthetic_matters

QUERIES = {
    "chinese": ["公积金", "登记", "护士执业", "异地就医", "营业执照", "养老保险", "许可", "补办"],
    "pinyin": ["gongjijin", "dengji", "hushizhiye", "yidijiuyi", "yingyezhizhao", "yanglaobaoxian", "xuke", "buban"],
    "initials": ["gjj", "dj", "hszy", "ydjy", "yyzz", "ylbx", "xk", "bb"],
}
REPEAT = 25


def _times(fn, queries, repeat):
    out = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return out


def _p(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


@pytest.mark.bench
@pytest.mark.parametrize("size", [3600, 36000])
def test_bench_catalog_search(size):
    base = load_catalog().matters
    matters = synthetic_matters(size, base=base)
    t = time.perf_counter()
    cat = Catalog(matters)
    cat.index
    build = time.perf_counter() - t
    prepared = naive_prepare(matters)
    print(f"\ncatalog search, {size} matters (index built in {build:.2f} s, limit 30)")
    print(f"  {'query type':<10} {'index median':>13} {'p99':>8} {'naive median':>13} {'p99':>8} {'speed-up':>9}")
    for kind, qs in QUERIES.items():
        idx = _times(lambda q: cat.search(q, limit=30), qs, REPEAT)
        naive = _times(lambda q: naive_search(prepared, q, limit=30), qs, max(3, REPEAT // 5))
        mi, mn = statistics.median(idx), statistics.median(naive)
        print(f"  {kind:<10} {mi:>10.3f} ms {_p(idx, .99):>5.2f} ms {mn:>10.3f} ms {_p(naive, .99):>5.2f} ms {mn / mi:>8.1f}x")
        target = 0.5 if size == 3600 else 5.0
        print(f"  {'':<10} target median ≤ {target} ms: {'met' if mi <= target else 'NOT met'}"
              + (f"; ≥ 2× naive: {'met' if mn / mi >= 2 else 'NOT met'}" if size == 36000 else ""))
