"""The test site: the demo site with its data in a test's folder (its card readers start empty: each
journey places the card when the screen asks) and short idle times. No pytest import: kiosk processes use it."""
from __future__ import annotations

from pathlib import Path

IDLE_TIMEOUT, IDLE_WARNING = 30, 10  # seconds of the injected clock


def site_config(folder: Path):
    from kiosk.config import DEMO_SITE, load_config

    text = DEMO_SITE.read_text(encoding="utf-8")
    text = text.replace("[data]\n", f'[data]\nfolder = "{folder / "data"}"\n', 1)
    assert 'idreader = "sim://idreader"\n' in text, "the demo site's readers must start empty"
    text = text.replace("idle_timeout = 90", f"idle_timeout = {IDLE_TIMEOUT}")
    text = text.replace("idle_warning = 20", f"idle_warning = {IDLE_WARNING}")
    path = folder / "site.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, demo=True)
