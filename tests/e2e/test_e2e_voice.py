"""Voice guidance on the real app (issue 16 #2): SDL's `disk` audio driver writes what the kiosk
plays to a file (44.1 kHz, 16-bit stereo, in real time); a resident's walk from home to the
evaluation waits, on each screen, until that screen's prompt is heard in the file — there and
not silent — and the played list says which sentence it was. English mode speaks English; the
mute/volume control mutes."""
import array
import json
import os
from pathlib import Path

import pytest

from tests.support.ui import run_journey

pytestmark = pytest.mark.e2e

ONLINE_REST = "SH-YB-001"
PHONE = "13912345678"
RATE = 44100 * 2 * 2  # bytes a second: 44.1 kHz, 16-bit, stereo
LOUD = 300  # RMS of a 10 ms window that is speech, not silence (full scale 32767)


def loud_ms(data: bytes) -> int:
    """Milliseconds of 10 ms windows louder than LOUD in raw 16-bit stereo."""
    step = RATE // 100
    n = 0
    for i in range(0, len(data) - step + 1, step):
        a = array.array("h", data[i:i + step])
        if a and (sum(x * x for x in a[::8]) / len(a[::8])) ** 0.5 > LOUD:
            n += 10
    return n


class Ears:
    """Listens to the disk audio file from now on."""

    def __init__(self, ui, path: str):
        self.ui, self.path = ui, path
        self.heard: dict[str, dict] = {}

    def size(self) -> int:
        return os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def hear(self, state: str, key: str | None = None, ms: int = 200) -> None:
        """Wait until this screen's prompt is playing and `ms` of it are in the file."""
        voice = self.ui.d.shell.voice
        key = key or f"voice.{state}"
        self.ui.wait(lambda: voice.played and voice.played[-1][1] == key, what=f"{key} to play")
        start = self.size()
        got = {}

        def loud():
            with open(self.path, "rb") as f:
                f.seek(start)
                got["ms"] = loud_ms(f.read())
            return got["ms"] >= ms
        self.ui.wait(loud, what=f"{ms} ms of {key} in the captured audio")
        _, _, wav, shown, playing = voice.played[-1]
        self.heard[key] = {"state": state, "loud_ms": got["ms"], "wav": wav, "start_ms": (playing - shown) * 1000}


def _walk(ui):
    ears = Ears(ui, os.environ["SDL_DISKAUDIOFILE"])
    assert ui.services.speech is not None, "espeak-ng is not installed"
    ui.d.shell.voice.prepare()
    assert ui.services.speech.wait(60), "the prompts were not rendered"
    ui.tap_id("start")
    ui.wait_state("identify")
    ears.hear("identify")
    ui.show_card("resident-expired")  # refused: the screen says why and what to do, aloud too
    ears.hear("identify", "failure")
    ui.show_card("resident-1")
    ui.wait_state("choose")
    ears.hear("choose")
    ui.choose(ONLINE_REST)
    ears.hear("guide")
    ui.tap_id("next")
    ui.wait_state("form")
    ears.hear("form")
    ui.fill_form({"phone": PHONE})
    ui.tap_id("next")
    for _ in range(3):
        st = ui.state
        if st == "scan":
            ears.hear("scan")
            ui.scan_all()
            ui.tap_id("next")
        elif st == "delivery":
            ears.hear("delivery")
            ui.tap_id("pickup")
            ui.tap_id("next")
        elif st == "confirm":
            break
        ui.d.frames(2)
    ui.wait_state("confirm")
    ears.hear("confirm")
    ui.tap_id("consent")
    ui.tap_id("submit")
    ui.wait_state("receipt")
    ears.hear("receipt")
    ui.shot("receipt-spoken")
    ui.tap_id("read_number")  # asked for: the tracking number, digit by digit
    ears.hear("receipt", "voice.number")
    ui.tap_id("finish")
    ui.wait_state("evaluate")
    ears.hear("evaluate")
    ui.skip_evaluation()
    ears.hear("home")
    ui.tap_id("elder")  # 大字版, spoken
    ears.hear("home", "voice.elder_on")
    ui.shot("home-elder-spoken")
    ui.tap_id("elder")
    ears.hear("home", "voice.elder_off")
    # the control: one touch to the next step says the new volume; round to muted, then silence
    voice = ui.d.shell.voice
    ui.tap_id("volume")
    ears.hear("home", "voice.level.3")
    ui.tap_id("volume")
    assert voice.volume == 0.0 and "静音" in ui.d.widget("volume").text
    ui.shot("home-muted")
    n = len(voice.played)
    ui.tap_id("progress")
    ui.wait_state("progress")
    ui.d.frames(3)
    assert len(voice.played) == n, "muted, yet the progress screen spoke"
    ui.tap_id("back")
    ui.wait_state("home")
    ui.tap_id("volume")  # back to low, then English
    ui.tap_id("language")
    zh = ears.heard.pop("voice.identify")
    ui.tap_id("start")
    ui.wait_state("identify")
    ears.hear("identify")
    ears.heard["voice.identify.en"] = ears.heard.pop("voice.identify")
    ears.heard["voice.identify"] = zh
    assert ears.heard["voice.identify.en"]["wav"] != zh["wav"], "English mode spoke the Chinese prompt"
    Path(ui.shots.parent / "heard.json").write_text(json.dumps(ears.heard, ensure_ascii=False, indent=1))


def test_each_screen_speaks_its_prompt(kiosk_display, tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(tmp_path / "audio.raw"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # rendered in this run, from nothing
    run_journey(f"{__name__}:_walk_journey", tmp_path, kiosk_display)
    heard = json.loads((tmp_path / "heard.json").read_text())
    screens = {h["state"] for h in heard.values()}
    assert {"identify", "choose", "guide", "form", "confirm", "receipt", "evaluate", "home"} <= screens
    assert all(h["loud_ms"] >= 200 for h in heard.values())
    assert "voice.identify.en" in heard


class _Journey:
    journey = staticmethod(_walk)


_walk_journey = _Journey
