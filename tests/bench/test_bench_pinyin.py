"""The pinyin keyboard: the index build (warm(), in a fresh process, as at the kiosk's start)
beside loading pypinyin's tables alone, and the candidates per key press for full pinyin,
initials and mixed input beside full pinyin. Figures only; nothing fails on a time."""
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = 3  # fresh processes per figure (the machine is shared: the median of a few)
TYPED = {
    "full": ["beijingshi", "tongzhouqu", "yanjiaozhen", "sanheshi", "renminyiyuan", "shequjiedao"],
    "initials": ["bjs", "tzq", "yjz", "shs", "rmyy", "sqjd"],
    "mixed": ["beijs", "tongzq", "yanjz", "sanhes", "renmyy", "shequjd"],
}
_BUILD = """
import time
t = time.perf_counter()
import pypinyin.pinyin_dict, pypinyin.phrases_dict
tables = time.perf_counter() - t
from screens.pinyin_input import warm
print(tables, warm())
"""


def _fresh(code: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return [float(x) for x in out.stdout.split()]


@pytest.mark.bench
def test_bench_pinyin_index_build():
    runs = [_fresh(_BUILD) for _ in range(RUNS)]
    tables = statistics.median(r[0] for r in runs)
    build = statistics.median(r[1] for r in runs)
    print(f"\npinyin index: pypinyin tables load {tables * 1000:.0f} ms; our index on top {build * 1000:.0f} ms "
          f"(median of {RUNS} fresh processes; ratio {build / tables:.1f}x the tables' load)")


@pytest.mark.bench
def test_bench_pinyin_per_key_press():
    from screens.pinyin_input import PinyinComposer, warm

    warm()
    per: dict[str, list[float]] = {}
    for kind, words in TYPED.items():
        for _ in range(5):
            for w in words:
                c = PinyinComposer()
                for ch in w:
                    c.press(ch)
                    t = time.perf_counter()
                    c.candidates()
                    c.pages()
                    per.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
    base = statistics.median(per["full"])
    print()
    for kind, xs in per.items():
        xs.sort()
        med = statistics.median(xs)
        print(f"pinyin per key press, {kind:8s}: median {med:.2f} ms, p95 {xs[int(0.95 * len(xs))]:.2f} ms, "
              f"max {xs[-1]:.2f} ms ({len(xs)} presses; {med / base:.1f}x full pinyin)")
