"""Voice guidance, without Kivy (issue 16 #2): what is said (kiosk/voice.py: the word list's
`voice.*` sentences, right readings of polyphones, numbers spelled, nothing personal), and the
speech engine (drivers/speech: espeak-ng renders once into a cache, off the calling thread)."""
import array
import re
import shutil
import wave

import pytest

from drivers.speech import EspeakRenderer, SpeechCache, SpeechError
from kiosk import voice
from kiosk.words import WORDS


def test_every_screen_has_a_prompt_in_both_languages_with_nothing_filled_in():
    for state, key in voice.SCREEN_PROMPTS.items():
        zh, en = WORDS[key]
        assert "{" not in zh + en and not re.search(r"\d", zh + en), key
    assert voice.prompt_key("technician") is None


def test_polyphones_read_right_and_numbers_spelled():
    p = voice.to_pinyin("请到银行还款，重新处理，调整了解")
    assert p == "qing3 dao4 yin2 hang2 huan2 kuan3, chong2 xin1 chu3 li3, tiao2 zheng3 liao3 jie3"
    assert voice.to_pinyin("最多100字") == "zui4 duo1 yi1 ling2 ling2 zi4"
    assert voice.speech("Hello.", "en") == ("Hello.", voice.EN_VOICE)
    assert voice.speech("大字版", "zh") == ("da4 zi4 ban3", voice.ZH_VOICE)


def test_a_tracking_number_only_digit_by_digit():
    assert voice.digits("261202D4") == "二，六，一，二，零，二，D，四"
    assert voice.digits("2612", "en") == "two, six, one, two"


def test_only_the_word_lists_fixed_sentences_are_spoken_as_failures():
    assert voice.speakable_words(WORDS["identify.read_failed"][0])
    assert not voice.speakable_words("查询没有成功：张三 110105194912310021")
    assert not voice.speakable_words(WORDS["receipt.tracking"][0])  # a sentence with a value in it


class CountingRenderer:
    def __init__(self):
        self.calls = []

    def render(self, text, v, path):
        self.calls.append((text, v))
        with open(path, "wb") as f:
            f.write(b"RIFF" + b"\0" * 100)
        return path


def test_the_cache_renders_each_sentence_once_off_the_callers_thread(tmp_path):
    r = CountingRenderer()
    cache = SpeechCache(str(tmp_path / "speech"), r)
    assert cache.get("ni3 hao3", voice.ZH_VOICE) is None  # not yet: asked, not waited for
    assert cache.wait(10)
    path = cache.get("ni3 hao3", voice.ZH_VOICE)
    assert path and path.endswith(".wav")
    cache.prepare([("ni3 hao3", voice.ZH_VOICE), ("hello", voice.EN_VOICE)])
    assert cache.wait(10)
    assert r.calls == [("ni3 hao3", voice.ZH_VOICE), ("hello", voice.EN_VOICE)]
    again = SpeechCache(str(tmp_path / "speech"), r)  # a restart: the files are kept
    assert again.get("hello", voice.EN_VOICE) and len(r.calls) == 2


def _rms(path: str) -> float:
    with wave.open(path) as w:
        a = array.array("h", w.readframes(w.getnframes()))
    return (sum(x * x for x in a) / max(len(a), 1)) ** 0.5


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (deploy/bootstrap.sh)")
def test_espeak_renders_every_prompt_not_silent(tmp_path):
    cache = SpeechCache(str(tmp_path), EspeakRenderer())
    for text, v in voice.all_prompts():
        assert _rms(cache.render_now(text, v)) > 300, text
    with pytest.raises(SpeechError, match="not installed"):
        EspeakRenderer("espeak-ng-missing").render("hello", "en-us", str(tmp_path / "y.wav"))
