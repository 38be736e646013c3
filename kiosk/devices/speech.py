"""The voice guidance's speech engine over drivers/speech: espeak-ng rendering into the user's
cache folder (drivers/cachedir.py), one WAV per sentence and voice, kept across restarts. None
when espeak-ng is not installed: the kiosk then shows without speaking (logged once)."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def open_speech(config=None):
    from drivers.cachedir import user_cache_dir
    from drivers.speech import EspeakRenderer, SpeechCache

    renderer = EspeakRenderer()
    if not renderer.available():
        log.warning("voice guidance off: espeak-ng is not installed (Debian package espeak-ng)")
        return None
    return SpeechCache(user_cache_dir("speech"), renderer)
