"""espeak-ng as a renderer: one sentence → one WAV file (16-bit mono, 22,050 Hz), written under a
temporary name and renamed, so a half-written file is never played. 12–20 ms per sentence here."""
from __future__ import annotations

import os
import shutil
import subprocess

RENDER_TIMEOUT = 10.0  # s: one sentence; espeak-ng takes milliseconds


class SpeechError(Exception):
    """espeak-ng is missing, failed, or made no sound; str() says which and why."""


class EspeakRenderer:
    def __init__(self, exe: str = "espeak-ng", *, speed: int = 150, pitch: int = 50):
        self.exe, self.speed, self.pitch = exe, speed, pitch

    def available(self) -> bool:
        return shutil.which(self.exe) is not None

    def render(self, text: str, voice: str, path: str) -> str:
        """Write `text` spoken with `voice` to `path` (WAV). Raises SpeechError."""
        if not text.strip():
            raise SpeechError("nothing to say")
        tmp = f"{path}.{os.getpid()}.tmp"
        cmd = [self.exe, "-v", voice, "-s", str(self.speed), "-p", str(self.pitch), "-w", tmp, "--", text]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=RENDER_TIMEOUT)
        except FileNotFoundError:
            raise SpeechError(f"{self.exe}: not installed (Debian package espeak-ng)") from None
        except subprocess.TimeoutExpired:
            _remove(tmp)
            raise SpeechError(f"{self.exe}: no answer in {RENDER_TIMEOUT:.0f} s") from None
        if proc.returncode != 0:
            _remove(tmp)
            why = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SpeechError(f"{self.exe} -v {voice}: exit {proc.returncode}: {why[-1] if why else 'no message'}")
        try:
            if os.path.getsize(tmp) <= 44:  # a WAV header and no samples
                raise SpeechError(f"{self.exe} -v {voice}: made no sound")
            os.replace(tmp, path)
        except OSError as e:
            _remove(tmp)
            raise SpeechError(f"{path}: cannot write: {e.strerror}") from None
        return path


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
