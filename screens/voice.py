"""Voice guidance on screen: plays a screen's prompt (kiosk/voice.py says what; drivers/speech
rendered it once into the cache) when the screen shows, a failure's fixed sentence when a step
fails, nothing when muted. Rendering never happens here: at start every prompt of both languages
is asked of the cache's background renderer; a prompt not rendered yet is skipped, not waited for.
`played` records (state, key, path, shown-at, playing-at) for the tests and the bench."""
from __future__ import annotations

import logging
import os
import time

from kivy.properties import NumericProperty
from kivy.event import EventDispatcher

from kiosk import voice
from screens.look import look

log = logging.getLogger(__name__)


class VoicePlayer(EventDispatcher):
    step = NumericProperty(voice.VOLUMES.index(voice.DEFAULT_VOLUME))  # index into voice.VOLUMES

    def __init__(self, cache, **kw):
        super().__init__(**kw)
        self.cache = cache  # drivers.speech.SpeechCache, or None (espeak-ng missing): silent
        self._sound = None
        self._loaded: dict[str, object] = {}  # path → Sound: loaded once, played many times
        self._note = ""  # the clerk's note last asked to be said (a late rendering of an older one is not played)
        self._note_files: set[str] = set()  # the notes' renderings: deleted when the visit ends
        self.played: list[tuple[str, str, str, float, float]] = []
        self.said: list[tuple[str, str, str]] = []  # (state, key, wav) of every prompt due, played or not

    @property
    def volume(self) -> float:
        return voice.VOLUMES[self.step]

    @property
    def available(self) -> bool:
        return self.cache is not None

    def prepare(self) -> None:
        """Render every prompt of both languages off the main thread (cached across restarts)."""
        if self.cache is not None:
            self.cache.prepare(voice.all_prompts())

    def next_volume(self) -> None:
        """The control: mute → low → middle → high → mute; the new level is said (unless muted)."""
        self.step = (self.step + 1) % len(voice.VOLUMES)
        if self._sound is not None:
            self._sound.volume = self.volume
        self.say_key(f"voice.level.{self.step}", "")

    def reset(self) -> None:
        """Back to the site's volume for the next resident; nothing left playing."""
        self.step = voice.VOLUMES.index(voice.DEFAULT_VOLUME)
        self._note = ""
        self.stop()
        for path in self._note_files:  # a clerk's words to this resident are not kept for the next
            try:
                os.remove(path)
            except OSError:
                pass
        self._note_files.clear()

    def screen(self, state: str, shown_at: float | None = None) -> None:
        key = voice.prompt_key(state)
        if key is not None:
            self.say_key(key, state, shown_at)

    def failure(self, text: str, state: str) -> bool:
        """A failure's words, said only when they are one of the word list's fixed sentences.
        True when they were (or would have been, muted) said."""
        if text and voice.speakable_words(text):
            self._say_text(text, "failure", state, time.monotonic())
            return True
        return False

    def say_key(self, key: str, state: str, shown_at: float | None = None) -> None:
        self._say_text(voice.sentence(key, look.lang), key, state, shown_at or time.monotonic())

    def _say_text(self, text: str, key: str, state: str, shown_at: float) -> None:
        if self.cache is None or self.volume == 0.0:
            return
        spoken, v = voice.speech(text, look.lang)
        path = self.cache.get(spoken, v)
        if path is None:
            log.info("voice: %s not rendered yet, not said", key)
            return
        self._play(path, key, state, shown_at, keep=True)

    def say_number(self, number: str) -> None:
        """A tracking number, digit by digit, when the resident asks: rendered now (off the main
        thread, ~15 ms), played when ready. Never said unasked."""
        if self.cache is None or self.volume == 0.0 or not number:
            return
        spoken, v = voice.speech(voice.digits(number, look.lang), look.lang)
        from kivy.clock import Clock

        def ready(_text, _voice, path):
            if path is not None:
                Clock.schedule_once(lambda _dt: self._play_file(path, "voice.number", "receipt"), 0)
        self.cache.prepare([(spoken, v)], done=ready)

    def say_note(self, text: str, state: str = "call") -> None:
        """A clerk's note (视频帮办), said once when it arrives: rendered now off the main thread
        (the same hanzi → pinyin and volume as every prompt), played when ready — unless a newer
        note came meanwhile. Muted: shown only."""
        self._note = text
        if self.cache is None or self.volume == 0.0:
            return
        said = voice.note_speech(text)
        if said is None:
            return
        from kivy.clock import Clock

        self._note_files.add(self.cache.path_for(*said))

        def ready(_text, _voice, path):
            if path is not None:
                Clock.schedule_once(lambda _dt: self._play_note(text, path, state), 0)
        self.cache.prepare([said], done=ready)

    def _play_note(self, text: str, path: str, state: str) -> None:
        if text == self._note and self.volume > 0.0:
            self._play(path, "call.note", state, time.monotonic(), keep=False)

    def _play_file(self, path: str, key: str, state: str) -> None:
        self._play(path, key, state, time.monotonic(), keep=False)

    def _play(self, path: str, key: str, state: str, shown_at: float, *, keep: bool) -> None:
        """Play a rendered file, cutting what plays; `keep` holds it loaded (a prompt said again
        and again), a tracking number's is not."""
        self.said.append((state, key, path))
        self.stop()
        try:
            sound = self._loaded.get(path)
            if sound is None:
                from kivy.core.audio import SoundLoader
                sound = SoundLoader.load(path)
                if sound is None:
                    log.warning("voice: no audio output for %s", path)
                    return
                if keep:
                    self._loaded[path] = sound
            sound.volume = self.volume
            sound.play()
        except Exception:
            log.exception("voice: cannot play %s", key)
            return
        self._sound = sound
        self.played.append((state, key, path, shown_at, time.monotonic()))

    def stop(self) -> None:
        if self._sound is not None:
            try:
                self._sound.stop()
            except Exception:
                pass
            self._sound = None
