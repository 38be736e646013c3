"""The voice benchmark's kiosk process (issue 16): with the voice guidance on and SDL's disk audio
driver capturing what plays, short journeys measure touch → next screen drawn, screen drawn →
the prompt's play() call, and play() → its first loud sample in the captured output (the disk
driver writes one buffer at a time, in real time: that figure includes SDL's buffer). Prints one
JSON line of figures."""
from __future__ import annotations

import array
import bisect
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

MATTER = "TZ-YB-001"
RATE = 44100 * 2 * 2
LOUD = 300


class Tail(threading.Thread):
    """Watches the disk audio file: the time the first loud sample past an offset arrived."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path, self.want, self.found = path, None, None
        self.stop_ = False

    def arm(self, offset: int) -> None:
        self.found, self.want = None, offset

    def run(self) -> None:
        while not self.stop_:
            if self.want is not None and self.found is None and os.path.exists(self.path):
                with open(self.path, "rb") as f:
                    f.seek(self.want)
                    data = f.read()
                step = RATE // 200  # 5 ms windows
                for i in range(0, len(data) - step + 1, step):
                    a = array.array("h", data[i:i + step][: (step // 2) * 2])
                    if a and max(abs(x) for x in a[::4]) > LOUD * 3:
                        self.found = time.monotonic()
                        break
            time.sleep(0.002)


def main(tmp: str, journeys: int) -> int:
    from tests.support.site import site_config

    from kiosk.bootstrap import build
    from screens import boot
    from screens.demo_script import SkippableClock

    boot.configure(demo=False, driven=True)
    boot.open_window()
    Path(tmp).mkdir(parents=True, exist_ok=True)
    config = site_config(Path(tmp))
    services = build(config, clock=SkippableClock(), demo=False, start_devices=False)
    from kivy.core.window import Window

    from screens.app import KioskApp
    from screens.driver import Driver
    from tests.support.fakes import RESIDENT

    drawn: list[float] = []
    Window.bind(on_flip=lambda *_: drawn.append(time.monotonic()))
    d = Driver(KioskApp(services))
    d.start()
    d.wait_state("home")
    assert services.speech is not None, "espeak-ng not installed"
    t0 = time.monotonic()
    d.shell.voice.prepare()
    services.speech.wait(120)
    render_s = time.monotonic() - t0
    voice = d.shell.voice
    tail = Tail(os.environ["SDL_DISKAUDIOFILE"])
    tail.start()
    touch: list[float] = []
    to_play: list[float] = []
    to_sample: list[float] = []

    def timed_tap(target, state: str) -> None:
        n = len(voice.played)
        d.tap(d.widget(target) if isinstance(target, str) else target, frames=0)
        d.wait(lambda: d.state == state and d.shell.ids.sm.current == state, what=state)
        touch.append(time.monotonic() - d.touched_at)
        d.wait(lambda: len(voice.played) > n, what=f"{state}'s prompt")
        _, _, _, shown, playing = voice.played[-1]
        i = bisect.bisect_left(drawn, shown)  # the first frame drawn after the screen's content was set
        first_frame = drawn[i] if i < len(drawn) else shown
        tail.arm(os.path.getsize(tail.path) if os.path.exists(tail.path) else 0)
        d.wait(lambda: tail.found is not None, what=f"{state}'s first loud sample")
        to_play.append(playing - first_frame)  # negative: the prompt started before the frame was drawn
        to_sample.append(tail.found - first_frame)
        d.frames(2)

    for _ in range(journeys):
        timed_tap("start", "identify")
        d.shell.cards.card_read("idreader", RESIDENT)
        d.wait_state("choose")
        btn = next(w for w in d.visible() if getattr(w, "matter_code", None) == MATTER)
        timed_tap(btn, "guide")
        timed_tap("next", "form")
        timed_tap("cancel", "home")
    tail.stop_ = True
    figures = {
        "waited_for_rendering_s": render_s, "prompts_played": len(voice.played),
        "touch_to_screen_median_ms": statistics.median(touch) * 1000,
        "touch_to_screen_p90_ms": sorted(touch)[int(len(touch) * 0.9)] * 1000,
        "screen_drawn_to_play_median_ms": statistics.median(to_play) * 1000,
        "screen_drawn_to_first_sample_median_ms": statistics.median(to_sample) * 1000,
        "screen_drawn_to_first_sample_p90_ms": sorted(to_sample)[int(len(to_sample) * 0.9)] * 1000,
    }
    d.stop()
    services.close()
    print("FIGURES " + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
