"""Rendered sentences, kept: one WAV per (voice, text), named by their hash, in a cache folder
(drivers/cachedir.py). `get` answers at once with a path or None; `prepare` renders what is
missing on a background thread, in the order asked, so the caller (the main thread) never waits
for espeak-ng."""
from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from typing import Callable, Iterable, Protocol

from drivers.speech.espeak import SpeechError

log = logging.getLogger(__name__)


class Renderer(Protocol):
    def render(self, text: str, voice: str, path: str) -> str: ...


class SpeechCache:
    def __init__(self, folder: str, renderer: Renderer):
        self.folder, self.renderer = folder, renderer
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self._jobs: queue.Queue = queue.Queue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.failures = 0  # sentences espeak-ng could not render (logged, never raised to a screen)

    def path_for(self, text: str, voice: str) -> str:
        h = hashlib.sha256(f"{voice}\0{text}".encode("utf-8")).hexdigest()[:32]
        return os.path.join(self.folder, f"{h}.wav")

    def get(self, text: str, voice: str) -> str | None:
        """The rendered file, or None when it is not rendered yet (then it is asked for)."""
        path = self.path_for(text, voice)
        if os.path.exists(path):
            return path
        self.prepare([(text, voice)])
        return None

    def render_now(self, text: str, voice: str) -> str:
        """Render on the calling thread (tests, `kiosk-admin`); the cached file if there is one."""
        path = self.path_for(text, voice)
        return path if os.path.exists(path) else self.renderer.render(text, voice, path)

    def prepare(self, items: Iterable[tuple[str, str]], done: Callable[[str, str, str | None], None] | None = None) -> None:
        """Render each (text, voice) not cached yet, off the calling thread; `done(text, voice,
        path or None)` after each (on the renderer's thread)."""
        with self._lock:
            for text, voice in items:
                path = self.path_for(text, voice)
                if path in self._pending or os.path.exists(path):
                    if done is not None and os.path.exists(path):
                        done(text, voice, path)
                    continue
                self._pending.add(path)
                self._jobs.put((text, voice, path, done))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="speech-render", daemon=True)
                self._thread.start()

    def wait(self, timeout: float = 30.0) -> bool:
        """Until everything asked is rendered (tests, start-up benches). False on timeout."""
        import time
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._pending:
                    return True
            time.sleep(0.01)
        return False

    def _work(self) -> None:
        while True:
            try:
                text, voice, path, done = self._jobs.get(timeout=1.0)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            got: str | None = None
            try:
                got = self.renderer.render(text, voice, path)
            except SpeechError as e:
                self.failures += 1
                log.warning("speech: %s", e)
            except Exception:
                self.failures += 1
                log.exception("speech: rendering failed")
            finally:
                with self._lock:
                    self._pending.discard(path)
            if done is not None:
                try:
                    done(text, voice, got)
                except Exception:
                    log.exception("speech: done callback failed")
