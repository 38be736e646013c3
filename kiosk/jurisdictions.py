"""Jurisdictions are whatever the site config declares ([jurisdictions.<code>]: name, name_en,
protocol, endpoint, profile); nothing in code lists them. This module only says what a code
looks like, for the config and the catalog."""
from __future__ import annotations

import re

CODE_RE = re.compile(r"[a-z][a-z0-9_\-]{1,31}")


def valid_code(code: object) -> bool:
    """2–32 lower-case letters, digits, '-' or '_', starting with a letter (tongzhou, bj-shunyi)."""
    return isinstance(code, str) and CODE_RE.fullmatch(code) is not None


def bad_code(code: object) -> str:
    return f"jurisdiction code {code!r} must be 2–32 lower-case letters, digits, '-' or '_', starting with a letter"


def name_zh(code: str, config=None) -> str:
    """The name the site config gives, else the code itself."""
    j = getattr(config, "jurisdictions", {}).get(code) if config is not None else None
    return j.name if j else code


def name_en(code: str, config=None) -> str:
    j = getattr(config, "jurisdictions", {}).get(code) if config is not None else None
    return (j.name_en or j.name) if j else code
