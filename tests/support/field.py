"""Shared helpers for the field-tool tests: run kiosk-admin as a technician would, and write
small site configs that point at twins and simulated jurisdictions started by the test."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "deploy" / "sites"
DEMO_PIN_HASH = "scrypt$131072$8$1$ZGVtby1raW9zay1zYWx0IQ==$+RyWol5BJwOC+hPIDecilBG7HRSTbSrPdOCt106yEHU="


def admin(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`kiosk-admin ARGS` in a fresh process; returns the completed process (text)."""
    e = dict(os.environ)
    e.pop("KIOSK_CONFIG", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=e, cwd=str(REPO))


def site_config(tmp: Path, *, devices: dict[str, str], jurisdictions: dict[str, tuple[str, str]],
                extra_jur: dict[str, dict] | None = None, log_file: str | None = None, name: str = "kiosk.toml") -> Path:
    """A site config in `tmp` (data folder tmp/data, its own outbox key path). jurisdictions:
    code -> (protocol, endpoint)."""
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    lines = ["[kiosk]", 'id = "test-kiosk-01"', 'site = "测试大厅"', 'site_jurisdiction = "dachang"', "",
             "[data]", f'folder = "{data}"', f'outbox_key = "{tmp / "outbox.key"}"']
    if log_file:
        lines.append(f'log_file = "{log_file}"')
    lines += ["", "[devices]"] + [f'{k} = "{v}"' for k, v in devices.items()]
    lines += ["", "[technician]", f'pin_hash = "{DEMO_PIN_HASH}"']
    for code, (proto, ep) in jurisdictions.items():
        lines += ["", f"[jurisdictions.{code}]", f'protocol = "{proto}"', f'endpoint = "{ep}"']
        for k, v in (extra_jur or {}).get(code, {}).items():
            lines.append(f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}")
    p = tmp / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def make_key(path: Path) -> None:
    from offline_queue.crypto import create_key

    if not path.exists():
        create_key(str(path))
