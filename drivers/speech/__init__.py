"""Offline speech: espeak-ng renders a sentence to a WAV file once, a cache keeps it by its text
and voice, and a background renderer prepares sentences ahead so a screen's prompt is ready when
the screen shows. Knows nothing of the kiosk: it is handed the text (for Mandarin, tone-numbered
pinyin for the `cmn-latn-pinyin` voice: kiosk/voice.py makes it) and the voice name."""
from drivers.speech.espeak import EspeakRenderer, SpeechError  # noqa: F401
from drivers.speech.cache import SpeechCache  # noqa: F401

__all__ = ["EspeakRenderer", "SpeechCache", "SpeechError"]
