"""The e2e rig: the real app (real drivers against their twins, simulated jurisdictions) in a
child process under its own Xvfb, driven by touches. A journey is a function of `ui`; the
@journey decorator turns it into a pytest test that runs it in a fresh kiosk process (Kivy owns
the process: its window, its logging), saves screenshots under the test's tmp dir and prints
where. Nothing waits for a timeout: the injected clock is moved; waits are for real I/O."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from tests.support.site import IDLE_TIMEOUT, IDLE_WARNING, site_config  # noqa: F401  (used by the child)

ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 240  # seconds for one journey process on a slow CI machine (it ends far sooner)


# ---- the pytest side --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def kiosk_display():
    """One Xvfb for the whole e2e session (each journey process opens its own window on it)."""
    from screens.xvfb import Xvfb

    x = Xvfb().start()
    yield x.display
    x.stop()


def journey(fn):
    """Make `fn(ui)` a test that plays it in a fresh kiosk process."""
    def test(kiosk_display, tmp_path):
        run_journey(f"{fn.__module__}:{fn.__name__}", tmp_path, kiosk_display)
    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    test.__module__ = fn.__module__
    test.journey = fn
    return test


def run_journey(target: str, tmp_path: Path, display: str) -> None:
    shots = tmp_path / "screens"
    env = dict(os.environ, DISPLAY=display, KIVY_NO_ARGS="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=str(tmp_path / "kivy"), KIVY_LOG_MODE="PYTHON", PYTHONPATH=str(ROOT),
               KIOSK_FONT_CACHE=os.environ.get("KIOSK_FONT_CACHE", str(Path.home() / ".cache/kiosk/fonts")))
    proc = subprocess.run([sys.executable, "-m", "tests.support.ui", target, str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    print(f"\n{target}: screenshots in {shots}")
    if proc.returncode != 0:
        pytest.fail(f"journey {target} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}",
                    pytrace=False)


# ---- the kiosk side (the child process) ------------------------------------------------------------
class UI:
    """What a journey gets: the driver (touches, waits, screenshots), the services, the twins,
    the injected clock, and a few steps every journey shares."""

    def __init__(self, driver, services, clock, shots: Path):
        self.d, self.services, self.clock, self.shots = driver, services, clock, shots
        self._n = 0

    @property
    def twins(self) -> dict:
        return self.services.twins()  # filled once the devices are up (after the first frame)

    def __getattr__(self, name):  # tap, tap_id, wait, wait_state, find, type_keys, state, screen …
        return getattr(self.d, name)

    def shot(self, name: str) -> str:
        self._n += 1
        return self.d.screenshot(str(self.shots / f"{self._n:02d}-{name}.png"))

    # ---- steps ---------------------------------------------------------------------------------
    def show_card(self, card: str = "resident-1") -> None:
        from screens.demo_script import swap_card

        swap_card(self.d, self.twins["idreader"], card)

    def insert_sscard(self, card: str = "ss-1") -> None:
        """Insert a social security card into the vpcd slot (pcscd notices within its polling)."""
        self.twins["sscard"].insert(card)

    def identify(self, card: str = "resident-1", reader: str = "idreader") -> None:
        self.tap_id("start")
        self.wait_state("identify")
        if reader == "sscard":
            self.insert_sscard(card)
        else:
            self.show_card(card)
        self.wait_state("choose")

    def choose(self, code: str, expect: str = "guide") -> None:
        from pypinyin import Style, lazy_pinyin

        m = self.services.catalog.get(code)
        initials = "".join(p[0] for p in lazy_pinyin(m.name, style=Style.FIRST_LETTER) if p and p[0].isalpha())
        self.type_keys(initials[:4].lower())
        btn = next((w for w in self.d.visible() if getattr(w, "matter_code", None) == code), None)
        if btn is None:
            raise AssertionError(f"{code} not among the results for {initials[:4]!r}: {self.d.texts()[:30]}")
        self.tap(btn)
        self.wait_state(expect)

    def fill_form(self, typed: dict[str, str]) -> None:
        """Keys of the form's fields → digits/letters to type (a choice: the option's text)."""
        for key, value in typed.items():
            field = next(w for w in self.d.visible() if getattr(w, "field_key", None) == key)
            self.tap(field)
            spec = next(f for f in self.services.session.data.matter.fields if f.key == key)
            if spec.input == "choice":
                self.tap(self.find(value))
            else:
                self.type_keys(value)

    def scan_all(self) -> None:
        """Every material with its fewest pages (both sides of a two-sided one)."""
        for mat in self.services.session.data.matter.materials:
            for _ in range(mat.pages_min):
                self.scan_page(mat.code)

    def scan_page(self, code: str) -> None:
        """Tap the material's scan button (scan / the next side / add a page) and wait for the page."""
        btn = next(w for w in self.d.visible() if getattr(w, "material_code", None) == code)
        self.tap(btn)
        self.wait(lambda: not self.screen.busy, what=f"the scan of {code}")
        assert not self.screen.problem, self.screen.problem

    def pages_of(self, code: str):
        """The scan screen's view of a material's pages (kiosk.pages.PagesView), or None."""
        return self.d.shell.ctx.journey.snapshot().pages.get(code)

    def apply(self, code: str, typed: dict[str, str], *, delivery: str = "pickup", card: str = "resident-1") -> None:
        """From home to the receipt: identify, choose, guide, form, scan, delivery, confirm, submit."""
        self.identify(card)
        self.choose(code)
        self.tap_id("next")
        self.wait_state("form")
        self.fill_form(typed)
        self.shot("form")
        self.submit_from_form(delivery=delivery)

    def submit_from_form(self, *, delivery: str = "pickup") -> None:
        """From a filled form to the printed receipt: scan, delivery, confirm, submit."""
        self.tap_id("next")
        for _ in range(4):
            st = self.state
            if st == "scan":
                self.scan_all()
                self.shot("scan")
                self.tap_id("next")
            elif st == "delivery":
                self.tap_id(delivery)
                self.tap_id("next")
            elif st == "confirm":
                break
            self.wait(lambda: self.state != st, what=f"leaving {st}")
        self.wait_state("confirm")
        self.tap_id("consent")
        self.shot("confirm")
        self.tap_id("submit", frames=1)
        self.wait_state("receipt")
        self.wait(lambda: self.screen.printing in ("printed", "failed"), what="the receipt to print")

    def skip_evaluation(self) -> None:
        """The 好差评 screen that opens after a receipt or an answer: skipped in one touch."""
        self.wait_state("evaluate")
        self.tap_id("skip")
        self.wait_state("home")

    def idle_out(self) -> str:
        """Let the idle countdown run out by moving the injected clock (never sleeping). Returns
        the picture taken during the countdown."""
        self.clock.advance(IDLE_TIMEOUT + 1)
        self.d.shell.tick()
        self.d.frames(2)
        assert self.d.shell.idle_left > 0
        countdown = self.shot("idle-countdown")
        self.clock.advance(IDLE_WARNING + 1)
        self.d.shell.tick()
        self.wait_state("home")
        return countdown


def leaks(shell, needles: list[str]) -> list[str]:
    """Every widget of every screen (shown or not) whose text or image source holds one of the
    needles (a name, an ID number, a phone number, an address)."""
    found = []
    roots = [shell] + list(shell.screens.values())
    seen = set()
    for root in roots:
        for w in root.walk(restrict=False):
            if id(w) in seen:
                continue
            seen.add(id(w))
            for attr in ("text", "source", "value", "letters", "address", "phone", "number", "qr", "title"):
                v = getattr(w, attr, None)
                if isinstance(v, str) and v:
                    for n in needles:
                        if n and n in v:
                            found.append(f"{type(w).__name__}.{attr} holds {n!r}")
    return found


def child_main(target: str, tmp: str) -> int:
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kiosk.bootstrap import build
    from kiosk.logs import setup_logging
    from screens import boot
    from screens.demo_script import SkippableClock

    setup_logging(console=True, level="WARNING")
    tmp_path = Path(tmp)
    shots = tmp_path / "screens"
    shots.mkdir(parents=True, exist_ok=True)
    config = site_config(tmp_path)
    boot.configure(demo=False, driven=True)  # no device dock: the journeys drive the twins directly
    boot.open_window()
    modname, _, fname = target.partition(":")
    fn = getattr(importlib.import_module(modname), fname).journey
    # a journey may change the site and hand in fakes of some ports: `fn.site(config) -> (config, factories)`
    config, factories = fn.site(config) if hasattr(fn, "site") else (config, None)
    clock = SkippableClock()
    services = build(config, clock=clock, demo=True, start_devices=False,  # as the app does: after the first frame
                     factories=factories)
    services.demo = False
    from screens.app import KioskApp
    from screens.driver import Driver

    d = Driver(KioskApp(services))
    ui = UI(d, services, clock, shots)
    try:
        d.start()
        d.wait_state("home")
        fn(ui)
        return 0
    except BaseException:
        traceback.print_exc()
        try:
            ui.shot("FAILED")
        except Exception:
            pass
        return 1
    finally:
        try:
            d.stop()
        finally:
            services.close()


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1], sys.argv[2]))
