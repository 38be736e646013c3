"""Every resident-facing string exists in Chinese and English, and every key the screens use is
in the catalog."""
import re
from pathlib import Path

from screens.i18n import STRINGS, tr

SCREENS = Path(__file__).resolve().parents[2] / "screens"


def test_every_string_has_both_languages():
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key in ("home.language",), f"{key}: Chinese text has no Chinese"
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), f"{key}: placeholders differ"


def test_every_key_used_by_the_screens_exists():
    used = set()
    for f in list(SCREENS.glob("*.py")) + list(SCREENS.glob("*.kv")):
        text = f.read_text(encoding="utf-8")
        used |= set(re.findall(r"""tr\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing
    assert len(used) > 60


def test_progress_states_are_all_worded():
    for s in ("queued", "sending", "delivered", "dead"):
        assert f"progress.local.{s}" in STRINGS
    for s in ("received", "prereview_passed", "needs_correction", "completed", "rejected", "unknown"):
        assert f"progress.remote.{s}" in STRINGS


def test_tr_formats_and_chooses_language():
    assert tr("receipt.tracking", "zh", number="X1") == "受理编号：X1"
    assert tr("receipt.tracking", "en", number="X1") == "Tracking number: X1"
