"""The four 256-byte text layouts (resident, 'J', 'I' 2017, 'Y' 2023), UCS-2 little-endian padded
with spaces: decode into an IdCardRecord, and encode one back (the twin serves card files so)."""
from __future__ import annotations

import datetime as _dt

from drivers.idcard import tables
from drivers.idcard.frame import ProtocolError
from drivers.idcard.record import IdCardRecord

TEXT_LEN = 256
TYPE_BYTE = 248
LONG_TERM = "长期"


class LayoutError(ProtocolError):
    """The 256 text bytes do not decode as any layout (bad UCS-2, a date that is not a date)."""


# (field, first byte, last byte inclusive) for each layout, as the open implementations of GA 467 agree.
_RESIDENT = (
    ("name", 0, 29), ("sex_code", 30, 31), ("ethnicity_code", 32, 35), ("birth_date", 36, 51),
    ("address", 52, 121), ("number", 122, 157), ("issuer", 158, 187), ("valid_from", 188, 203),
    ("valid_to", 204, 219),
)
_J = _RESIDENT + (("pass_number", 220, 237), ("issue_count", 238, 241))
_I = (
    ("name_en", 0, 119), ("sex_code", 120, 121), ("number", 122, 151), ("nationality", 152, 157),
    ("name", 158, 187), ("valid_from", 188, 203), ("valid_to", 204, 219), ("birth_date", 220, 235),
    ("card_version", 236, 239), ("issuer", 240, 247),
)
# 'Y' lists no issuer; 158-187 is read as in the resident layout (blank on cards without one).
_Y = (
    ("name", 0, 29), ("sex_code", 30, 31), ("renewal_count", 32, 35), ("birth_date", 36, 51),
    ("name_en_1", 52, 121), ("number", 122, 157), ("issuer", 158, 187), ("valid_from", 188, 203),
    ("valid_to", 204, 219), ("name_en_2", 220, 241), ("nationality", 242, 247), ("old_number", 250, 255),
)
FIELDS = {"resident": _RESIDENT, "J": _J, "I": _I, "Y": _Y}
_TYPE_CHAR = {"resident": " ", "J": "J", "I": "I", "Y": "Y"}
_DATES = ("birth_date", "valid_from", "valid_to")


def layout_of(text: bytes) -> str:
    t = text[TYPE_BYTE]
    if t in (0x20, 0x00):
        return "resident"
    c = chr(t)
    if c in ("J", "I", "Y") and text[TYPE_BYTE + 1] == 0:
        return c
    raise LayoutError(f"unknown card type byte {t:02X} at offset {TYPE_BYTE}")


def _ucs2(text: bytes) -> str:
    try:
        return text.decode("utf-16-le")
    except UnicodeDecodeError as e:
        raise LayoutError(f"bytes {e.start}-{e.end - 1} are not UCS-2 text") from None


def _clean(s: str) -> str:
    return s.replace("\x00", " ").strip()


def _date(field: str, s: str) -> _dt.date | None:
    s = _clean(s)
    if not s:
        return None
    if len(s) != 8 or not s.isdigit():
        raise LayoutError(f"{field} {s!r} is not YYYYMMDD")
    try:
        return _dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        raise LayoutError(f"{field} {s} is not a calendar date") from None


def decode_text(text: bytes, photo: bytes | None = None, fingerprint: bytes | None = None) -> IdCardRecord:
    """Decode the 256 text bytes; raises LayoutError (a ProtocolError) on anything malformed."""
    if len(text) != TEXT_LEN:
        raise LayoutError(f"text block is {len(text)} bytes, expected {TEXT_LEN}")
    layout = layout_of(text)
    chars = _ucs2(text)  # one decode; every field starts on an even byte, so slices line up
    raw = {f: chars[a // 2:(b + 1) // 2] for f, a, b in FIELDS[layout]}
    kw: dict = {"layout": layout, "photo": photo, "fingerprint": fingerprint}
    if layout == "Y":
        raw["name_en"] = raw.pop("name_en_1") + raw.pop("name_en_2")
    for f, s in raw.items():
        if f == "valid_to" and _clean(s) == LONG_TERM:
            kw["long_term"] = True
            kw["valid_to"] = None
        elif f in _DATES:
            kw[f] = _date(f, s)
        else:
            kw[f] = _clean(s) or None
    kw["sex_code"] = kw.get("sex_code") or ""
    kw["sex"] = tables.sex_name(kw["sex_code"])
    if kw.get("ethnicity_code"):
        kw["ethnicity"] = tables.ethnicity_name(kw["ethnicity_code"])
    if not kw.get("number"):
        raise LayoutError("the card number is blank")
    if not kw.get("name"):
        kw["name"] = kw.get("name_en") or ""
    if not kw["name"]:
        raise LayoutError("the name is blank")
    return IdCardRecord(**kw)


def _put(buf: bytearray, a: int, b: int, value: str, field: str) -> None:
    enc = value.encode("utf-16-le")
    width = b - a + 1
    if len(enc) > width:
        raise ValueError(f"{field} {len(value)} chars does not fit in {width // 2}")
    buf[a:b + 1] = enc + " ".encode("utf-16-le") * ((width - len(enc)) // 2)


def encode_text(rec: IdCardRecord) -> bytes:
    """The 256 text bytes for a record (the twin's side; also the round-trip tests)."""
    if rec.layout not in FIELDS:
        raise ValueError(f"unknown layout {rec.layout!r}")
    buf = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    vals: dict[str, str] = {}
    for f, _a, _b in FIELDS[rec.layout]:
        if f.startswith("name_en_"):
            continue
        v = getattr(rec, f)
        if f == "valid_to" and rec.long_term:
            v = LONG_TERM
        elif isinstance(v, _dt.date):
            v = v.strftime("%Y%m%d")
        vals[f] = v or ""
    if rec.layout == "I" and rec.name == rec.name_en:
        vals["name"] = ""
    if rec.layout == "Y":
        en = rec.name_en or ""
        vals["name_en_1"], vals["name_en_2"] = en[:35], en[35:]
    for f, a, b in FIELDS[rec.layout]:
        _put(buf, a, b, vals[f], f)
    _put(buf, TYPE_BYTE, TYPE_BYTE + 1, _TYPE_CHAR[rec.layout], "type")
    return bytes(buf)
