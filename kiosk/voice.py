"""Voice guidance: what each screen says on arrival, and how a sentence is made speakable, Kivy-free.

Every spoken sentence comes from kiosk/words.py: a screen's prompt is its `voice.<state>` key (a
sentence written to be heard), a failure is spoken only when its words are one of the word list's
fixed sentences (no placeholder filled), so no personal value is ever spoken. A tracking number is
spoken only when the resident asks, digit by digit (`digits`); a clerk's note (视频帮办) as the clerk
wrote it, once when it arrives (`note_speech`).

Mandarin goes through espeak-ng's `cmn-latn-pinyin` voice (its `cmn` voice is broken in Debian 12:
hanzi read as pinyin letters): the hanzi become tone-numbered pinyin by pypinyin, with its phrase
dictionary and `POLYPHONES` for the readings it misses; numbers are spelled out first. English
goes to `en-us` as written."""
from __future__ import annotations

import re
import threading

from kiosk.words import WORDS, say

ZH_VOICE = "cmn-latn-pinyin"
EN_VOICE = "en-us"
VOLUMES = (0.0, 0.4, 0.7, 1.0)  # the control's steps: mute, low, middle, high
DEFAULT_VOLUME = 0.7

# Screens that speak on arrival (the technician's does not); the key of their sentence.
SCREEN_PROMPTS = {state: f"voice.{state}" for state in (
    "home", "identify", "choose", "guide", "form", "scan", "delivery", "confirm", "submit", "receipt",
    "answer", "progress", "evaluate")}
# Readings pypinyin's dictionary gets wrong in the kiosk's sentences (hanzi phrase → pinyin).
POLYPHONES = {"还款": [["huán"], ["kuǎn"]], "长按": [["cháng"], ["àn"]], "重新": [["chóng"], ["xīn"]],
              "银行": [["yín"], ["háng"]], "处理": [["chǔ"], ["lǐ"]], "调整": [["tiáo"], ["zhěng"]],
              "了解": [["liǎo"], ["jiě"]], "大字版": [["dà"], ["zì"], ["bǎn"]]}
_DIGITS_ZH = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九")
_DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ready = threading.Lock()
_loaded = False


def prompt_key(state: str) -> str | None:
    return SCREEN_PROMPTS.get(state)


def speakable_words(text: str) -> bool:
    """True when `text` is one of the word list's fixed sentences (nothing filled in): safe to say."""
    return text in _FIXED


_FIXED = {v for zh_en in WORDS.values() for v in zh_en if "{" not in v}


def digits(number: str, lang: str = "zh") -> str:
    """A tracking number spoken digit by digit (letters one by one), for when the resident asks."""
    out = []
    for ch in number.strip().upper():
        if ch.isdigit():
            out.append(_DIGITS_ZH[int(ch)] if lang == "zh" else _DIGITS_EN[int(ch)])
        elif ch.isalnum():
            out.append(ch)
    return ("，" if lang == "zh" else ", ").join(out)


def _spell_numbers(text: str) -> str:
    """Digits as Chinese digits, one by one (100字 → 一零零字): never read as a quantity the
    engine may get wrong; the word list keeps numbers out of its voice sentences anyway."""
    return re.sub(r"\d", lambda m: _DIGITS_ZH[int(m.group())], text)


def _pypinyin():
    global _loaded
    from pypinyin import Style, lazy_pinyin, load_phrases_dict
    with _ready:
        if not _loaded:
            load_phrases_dict(POLYPHONES)
            _loaded = True
    return lazy_pinyin, Style


def to_pinyin(text: str) -> str:
    """Hanzi → tone-numbered pinyin for `cmn-latn-pinyin` (neutral tone as 5); punctuation
    becomes a pause; Latin letters and digits are spelled out."""
    lazy_pinyin, Style = _pypinyin()
    parts = []
    for tok in lazy_pinyin(_spell_numbers(text), style=Style.TONE3, neutral_tone_with_five=True, errors="default"):
        tok = tok.strip()
        if not tok:
            continue
        if re.fullmatch(r"[a-z]+[1-5]", tok):
            parts.append(tok)
        elif re.search(r"[，。！？；：、,.!?;:（）()]", tok):
            parts.append(",")
        else:  # Latin text left as is (pypinyin passes it through): spelled letter by letter
            parts.extend(c.lower() for c in tok if c.isalnum())
    return re.sub(r"(\s*,)+", ",", " ".join(parts)).strip(" ,")


def speech(text: str, lang: str) -> tuple[str, str]:
    """(what espeak-ng is fed, its voice) for a sentence in `lang`."""
    if lang == "en":
        return text, EN_VOICE
    return to_pinyin(text), ZH_VOICE


def sentence(key: str, lang: str) -> str:
    return say(key, lang)


NOTE_MAX = 200  # characters of a clerk's note that are spoken (docs/videocall.md: a note is ≤ 200)


def note_speech(text: str) -> tuple[str, str] | None:
    """(what espeak-ng is fed, its voice) for a clerk's note (视频帮办), or None when nothing in
    it can be said. The one sentence not from the word list: the clerk wrote it for the resident
    to hear. Said in Chinese when it holds any hanzi (whatever the screen's language: it is the
    clerk's Chinese), else by the English voice (Latin letters read as letters in pinyin)."""
    text = " ".join(str(text or "").split())[:NOTE_MAX]
    if not any(ch.isalnum() for ch in text):
        return None
    if re.search(r"[\u4e00-\u9fff]", text):
        spoken = to_pinyin(text)
        return (spoken, ZH_VOICE) if spoken else None
    return text, EN_VOICE


# The failures a screen shows in fixed words (what went wrong and what to do next): rendered at
# start-up too, so the first time one happens it is heard, not just queued for rendering.
FAILURE_PREFIXES = ("card_failed.", "card_problem.", "scanner.resident.", "camera.", "journey.", "error.", "outbox.")


def all_prompts() -> list[tuple[str, str]]:
    """Every (text, voice) the screens may speak, both languages: rendered once, at start-up."""
    keys = {*SCREEN_PROMPTS.values(), *(k for k in WORDS if k.startswith("voice."))}
    keys |= {k for k in WORDS if k.startswith(FAILURE_PREFIXES) and all("{" not in v for v in WORDS[k])}
    out = []
    for key in sorted(keys):
        for lang in ("zh", "en"):
            out.append(speech(say(key, lang), lang))
    return out
