"""The one word list (kiosk/words.py): every sentence a resident or technician reads exists in
Chinese and English with the same placeholders, every key the code uses is there, and no module
keeps sentences of its own."""
import re
from pathlib import Path

from kiosk.words import WORDS as STRINGS, pair, say as tr

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "screens"


def test_every_string_has_both_languages():
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or key in ("home.language",), f"{key}: Chinese text has no Chinese"
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), f"{key}: placeholders differ"


def test_every_key_used_by_the_screens_and_the_kiosk_exists():
    used = set()
    files = list(SCREENS.glob("*.py")) + list(SCREENS.glob("*.kv")) + list((ROOT / "kiosk").rglob("*.py"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:tr|say|pair)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", text))
    missing = sorted(k for k in used if k not in STRINGS)
    assert not missing, missing
    assert len(used) > 60


def test_no_module_keeps_resident_sentences_of_its_own():
    """A Chinese sentence in a string literal outside the word list is a sentence nobody translates.
    (Docstrings and comments may name Chinese terms; the pinyin keyboard's lexicon and the demo's
    scripted sample values are data, not sentences.)"""
    allowed = {"kiosk/words.py", "screens/pinyin_input.py", "screens/demo_script.py", "screens/demo_panel.py",
               "kiosk/logs.py", "kiosk/fonts.py", "screens/sizes.py"}
    found = []
    for f in list((ROOT / "kiosk").rglob("*.py")) + list(SCREENS.glob("*.py")):
        rel = str(f.relative_to(ROOT))
        if rel in allowed or "/catalog/" in rel:
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for lit in re.findall(r"""(?<![\w"])(["'])((?:(?!\1).)*[\u4e00-\u9fff](?:(?!\1).)*)\1""", code):
                text = lit[1]
                cjk, latin = len(re.findall(r"[\u4e00-\u9fff]", text)), len(re.findall(r"[A-Za-z]", text))
                if cjk > latin and (re.search(r"[，。！？：；]", text) or cjk > 4):  # Chinese first: a sentence
                    found.append(f"{rel}:{n}: {lit[1]}")
    assert not found, "\n".join(found)


def test_progress_states_are_all_worded():
    for s in ("queued", "sending", "delivered", "dead"):
        assert f"progress.local.{s}" in STRINGS
    for s in ("received", "prereview_passed", "needs_correction", "completed", "rejected", "unknown"):
        assert f"progress.remote.{s}" in STRINGS


def test_tr_formats_and_chooses_language():
    assert tr("receipt.tracking", "zh", number="X1") == "受理编号：X1"
    assert tr("receipt.tracking", "en", number="X1") == "Tracking number: X1"


def test_pair_gives_both_languages_filled():
    assert pair("receipt.next.prereview", days=3) == ("3个工作日内完成远程预审，结果短信通知",
                                                      "Remote pre-review within 3 working days; the result comes by text message")
