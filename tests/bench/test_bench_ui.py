"""UI figures (printed, never asserted on time): cold start to the home screen drawn (target
≤ 1.5 s), touch → next screen drawn (median, target ≤ 100 ms), resident memory after 200
scripted journeys vs after 10 (growth target ≤ 10 MB). Run: pytest tests/bench -m bench -s"""
import json
import os
import subprocess
import sys
import time

import pytest

from tests.support.ui import ROOT

TARGETS = {"cold_start_s": 1.5, "touch_to_screen_median_ms": 100, "rss_growth_mb": 10}
TOUCH_GOAL_MS = 100


@pytest.mark.bench
@pytest.mark.timeout(1800)  # 200 journeys drawn by software GL take minutes
def test_bench_ui(kiosk_display, tmp_path):
    env = dict(os.environ, DISPLAY=kiosk_display, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"), PYTHONPATH=str(ROOT))
    # a first run warms the OS caches and the font cache, as a kiosk after its first boot
    for label, journeys in (("warm-up", 0), ("measured", 1)):
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "tests.support.ui_bench", str(tmp_path / label), str(t0), str(journeys)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
        assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(l for l in proc.stdout.splitlines() if l.startswith("FIGURES "))
    figures = json.loads(line[len("FIGURES "):])
    print("\nUI benchmark (kiosk process under Xvfb, llvmpipe software GL):")
    for key, value in figures.items():
        target = TARGETS.get(key)
        ratio = f"  ({value / target:.2f}× target {target})" if target else ""
        print(f"  {key:28s} {value:10.2f}{ratio}")
    # issue #18: each transition on its own, beside its goal (a pooled median hid a slow one)
    print(f"  each transition on its own (goal: median ≤ {TOUCH_GOAL_MS} ms):")
    for screen in sorted(k[len("touch_to_"):-len("_median_ms")] for k in figures
                         if k.startswith("touch_to_") and k.endswith("_median_ms") and k != "touch_to_screen_median_ms"):
        med, p90 = figures[f"touch_to_{screen}_median_ms"], figures.get(f"touch_to_{screen}_p90_ms", float("nan"))
        print(f"    touch → {screen:10s} median {med:7.1f} ms  p90 {p90:7.1f} ms  "
              f"{'met' if med <= TOUCH_GOAL_MS else 'not met'}")


CATALOG_SIZES = (3_600, 36_000)  # beside the 47-matter sample
COLD_RUNS = 3


def _install_catalog(data_folder, n: int, tmp) -> None:
    """A kiosk after `catalog update` with n matters (the sample's plus distinct synthetic ones)."""
    from kiosk.catalog import load_catalog
    from kiosk.catalog.synthetic import catalog_json, synthetic_matters
    from kiosk.field import catalog_store

    path = tmp / f"catalog-{n}.json"
    path.write_text(catalog_json(synthetic_matters(n, base=load_catalog(None).matters)), encoding="utf-8")
    catalog_store.update(str(data_folder), str(path))


@pytest.mark.bench
@pytest.mark.timeout(1800)
def test_bench_cold_start_by_catalog_size(kiosk_display, tmp_path):
    """Issue #18: the home screen as fast with 36,000 matters as with the sample, the catalog
    compiled when it was installed. Each size: a warm-up process (OS and font caches, as a kiosk
    after its first boot), then three measured ones, the median kept. Goal: within 10% of the
    sample's figure."""
    env = dict(os.environ, DISPLAY=kiosk_display, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"), PYTHONPATH=str(ROOT))
    rows = {}
    for n in (None,) + CATALOG_SIZES:
        folder = tmp_path / f"site-{n or 'sample'}"
        if n:
            _install_catalog(folder / "data", n, tmp_path)
        runs = []
        for i in range(1 + COLD_RUNS):  # the first warms the caches and is not counted
            t0 = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "tests.support.ui_bench", str(folder), str(t0), "0"],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
            assert proc.returncode == 0, proc.stderr[-4000:]
            line = next(l for l in proc.stdout.splitlines() if l.startswith("FIGURES "))
            if i:
                runs.append(json.loads(line[len("FIGURES "):]))
        # the median run by cold start: one neighbour's burst on this shared machine moves one run, not three
        rows[n or 47] = sorted(runs, key=lambda f: f["cold_start_s"])[len(runs) // 2]
    base = rows[47]
    print("\ncold start to the home screen drawn, by catalog size (goal: within 10% of the sample's):")
    for n, f in rows.items():
        ratio = f["cold_start_s"] / base["cold_start_s"]
        print(f"  {n:>7,} matters  cold start {f['cold_start_s']:.2f} s ({ratio:.2f}×)  "
              f"core build {f['core_build_s'] * 1000:.0f} ms  search warmed at {f['warmed_s']:.2f} s  "
              f"{'met' if ratio <= 1.10 else 'not met'}")
