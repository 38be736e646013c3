"""A virtual screen for a machine without one (headless demo, e2e tests): Xvfb picks a free
display number itself (-displayfd) and says so when it is ready, so nobody waits on a timer."""
from __future__ import annotations

import os
import shutil
import subprocess

# The virtual screen is larger than any window the kiosk opens (the demo adds a device dock).
SCREEN = "1920x1080x24"
READY_TIMEOUT = 15.0  # seconds for Xvfb to report its display (a slow CI machine)


class Xvfb:
    """`with Xvfb() as x: os.environ["DISPLAY"] = x.display`"""

    def __init__(self, screen: str = SCREEN):
        self.screen = screen
        self.proc: subprocess.Popen | None = None
        self.display = ""

    def start(self) -> "Xvfb":
        exe = shutil.which("Xvfb")
        if not exe:
            raise RuntimeError("Xvfb is not installed (deploy/bootstrap.sh installs xvfb)")
        r, w = os.pipe()
        self.proc = subprocess.Popen([exe, "-displayfd", str(w), "-screen", "0", self.screen, "-nolisten", "tcp"],
                                     pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        import select

        ready, _, _ = select.select([r], [], [], READY_TIMEOUT)
        number = os.read(r, 64).decode().strip() if ready else ""
        os.close(r)
        if not number:
            self.stop()
            raise RuntimeError("Xvfb did not report a display")
        self.display = f":{number}"
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "Xvfb":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
