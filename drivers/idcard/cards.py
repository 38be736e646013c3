"""Card files: JSON descriptions of sample cards that the twin serves (drivers/idcard/cards/)."""
from __future__ import annotations

import datetime as _dt
import hashlib
import os

from drivers.cardfiles import CardFileError, CardFolder  # noqa: F401 (CardFileError: part of this API)
from drivers.idcard import tables
from drivers.idcard.layouts import LONG_TERM
from drivers.idcard.messages import FINGERPRINT_LEN, PHOTO_LEN
from drivers.idcard.record import LAYOUTS, IdCardRecord

CARDS_DIR = os.path.join(os.path.dirname(__file__), "cards")
_TEXT_FIELDS = ("name", "number", "address", "issuer", "name_en", "pass_number", "issue_count",
                "nationality", "renewal_count", "card_version", "old_number")


FOLDER = CardFolder(CARDS_DIR)
list_cards = FOLDER.names
card_path = FOLDER.path


def fake_bytes(seed: str, n: int, magic: bytes = b"") -> bytes:
    """Deterministic stand-in bytes for a photo or fingerprint (never a real one)."""
    out = bytearray(magic)
    h = seed.encode()
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h
    return bytes(out[:n])


def load_card(name_or_path: str) -> IdCardRecord:
    """A card by sample name (`resident-1`) or by JSON file path; raises CardFileError."""
    d, path = FOLDER.read(name_or_path)
    return card_from_dict(d, path)


def card_from_dict(d: dict, where: str = "<card>") -> IdCardRecord:
    if not isinstance(d, dict):
        raise CardFileError(f"{where}: a card file is a JSON object")
    layout = d.get("layout", "resident")
    if layout not in LAYOUTS:
        raise CardFileError(f"{where}: layout: {layout!r} is not one of {', '.join(LAYOUTS)}")
    known = set(_TEXT_FIELDS) | {"layout", "sex", "ethnicity", "birth_date", "valid_from", "valid_to", "comment"}
    unknown = set(d) - known
    if unknown:
        raise CardFileError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")
    kw: dict = {"layout": layout}
    for k in _TEXT_FIELDS:
        if d.get(k) is not None:
            if not isinstance(d[k], str):
                raise CardFileError(f"{where}: {k}: must be text")
            kw[k] = d[k]
    for k in ("name", "number"):
        if not kw.get(k):
            raise CardFileError(f"{where}: {k}: required")
    sex = d.get("sex", "unknown")
    if sex not in tables.SEX_CODE:
        raise CardFileError(f"{where}: sex: {sex!r} is not one of {', '.join(tables.SEX_CODE)}")
    kw["sex"], kw["sex_code"] = sex, tables.SEX_CODE[sex]
    if d.get("ethnicity"):
        if d["ethnicity"] not in tables.ETHNICITY_CODE:
            raise CardFileError(f"{where}: ethnicity: {d['ethnicity']!r} is not in GB 3304")
        kw["ethnicity"], kw["ethnicity_code"] = d["ethnicity"], tables.ETHNICITY_CODE[d["ethnicity"]]
    for k in ("birth_date", "valid_from", "valid_to"):
        v = d.get(k)
        if v is None:
            continue
        if k == "valid_to" and v == LONG_TERM:
            kw["long_term"] = True
            continue
        try:
            kw[k] = _dt.date.fromisoformat(v)
        except (TypeError, ValueError):
            raise CardFileError(f"{where}: {k}: {v!r} is not YYYY-MM-DD" + (" or 长期" if k == "valid_to" else "")) from None
    kw["photo"] = fake_bytes("photo:" + kw["number"], PHOTO_LEN, b"WLf")
    kw["fingerprint"] = fake_bytes("fp:" + kw["number"], FINGERPRINT_LEN)
    return IdCardRecord(**kw)
