"""The resident as read from any card (居民身份证, 港澳台居民居住证, 外国人永久居留身份证, 社保卡),
with the GB 11643-1999 checks and the masking every screen and log line uses."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Literal

CardType = Literal["resident", "hmt_permit", "foreign_permanent", "social_security"]
Sex = Literal["male", "female", "unknown", "unspecified"]

# GB 11643-1999: weights over the first 17 digits; (sum mod 11) indexes the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^[1-9]\d{16}[\dXx]$")


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_number_valid(number: str) -> bool:
    """Shape, birth date and check character of an 18-character ID number."""
    if not number or not _ID_RE.match(number):
        return False
    try:
        _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return id_check_char(number[:17]) == number[17].upper()


def mask_id_number(number: str | None) -> str:
    """110105********002X: the region and the last four stay, the birth date does not."""
    if not number:
        return ""
    n = len(number)
    if n >= 15:
        return number[:6] + "*" * (n - 10) + number[-4:]
    if n > 4:
        return "*" * (n - 4) + number[-4:]
    return "*" * n


def mask_name(name: str | None) -> str:
    """Surname plus '*': 张* / 欧阳* is not attempted (compound surnames are rare; one char kept).
    Latin names keep their first word."""
    if not name:
        return ""
    name = name.strip()
    if name.isascii():
        first = name.split()[0] if name.split() else name
        return first + " *"
    return name[0] + "*" * max(1, min(2, len(name) - 1))


@dataclasses.dataclass(frozen=True)
class Identity:
    """The resident as read from a card. `photo` stays opaque (WLT bytes): never logged or stored
    longer than the transaction needs."""

    card_type: CardType
    name: str
    id_number: str
    sex: Sex = "unknown"
    birth_date: _dt.date | None = None
    name_en: str | None = None
    ethnicity: str | None = None
    address: str | None = None
    issuer: str | None = None
    valid_from: _dt.date | None = None
    valid_to: _dt.date | None = None  # None with long_term=True: 长期
    long_term: bool = False
    pass_number: str | None = None
    nationality: str | None = None
    card_number: str | None = None  # social security card number
    region_code: str | None = None
    photo: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:  # never a full name or number in a traceback or log line
        return f"Identity({self.card_type}, {mask_name(self.name)}, {mask_id_number(self.id_number)})"

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def problems(self, today: _dt.date) -> list[str]:
        """What is wrong with this card for intake, as codes: expired, not_yet_valid,
        invalid_number, birth_mismatch, sex_mismatch. Empty when all is well."""
        out: list[str] = []
        if self.valid_to is not None and not self.long_term and self.valid_to < today:
            out.append("expired")
        if self.valid_from is not None and self.valid_from > today:
            out.append("not_yet_valid")
        if self.card_type in ("resident", "hmt_permit", "social_security") or (
            self.card_type == "foreign_permanent" and len(self.id_number or "") == 18
        ):
            if not id_number_valid(self.id_number):
                out.append("invalid_number")
            else:
                if self.birth_date is not None and self.id_number[6:14] != self.birth_date.strftime("%Y%m%d"):
                    out.append("birth_mismatch")
                if self.sex in ("male", "female"):
                    odd = int(self.id_number[16]) % 2 == 1
                    if odd != (self.sex == "male"):
                        out.append("sex_mismatch")
        return out

    def to_json(self) -> dict:
        """The card as JSON (no photo): the keys `kiosk-admin read-id --json` prints."""
        d = {
            "card_type": self.card_type, "name": self.name, "name_en": self.name_en, "sex": self.sex,
            "ethnicity": self.ethnicity,
            "birth_date": _iso(self.birth_date), "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to), "long_term": self.long_term,
            "address": self.address, "id_number": self.id_number,
            "id_number_valid": id_number_valid(self.id_number), "issuer": self.issuer,
            "pass_number": self.pass_number, "nationality": self.nationality,
        }
        if self.card_type == "social_security":
            d.update(card_number=self.card_number, region_code=self.region_code)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Identity":
        """The card from its JSON (`read-id --json`, a sealed payload). Strict: an object with the
        known keys only, each of its type and within what a card can hold; ValueError names the
        first key that is wrong."""
        if not isinstance(d, dict):
            raise ValueError(f"an identity is a JSON object, not {_kind(d)}")
        known = {f.name for f in dataclasses.fields(cls)} - {"photo"}
        unknown = [k for k in d if k not in known and k != "id_number_valid"]
        if unknown:
            shown = ", ".join(sorted(str(k)[:40] for k in unknown)[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            raise ValueError(f"unknown identity keys: {shown}")
        kw = {k: v for k, v in d.items() if k in known}
        for k in ("card_type", "name", "id_number"):
            if not kw.get(k):
                raise ValueError(f"identity needs {k}")
        if kw["card_type"] not in CARD_TYPES:
            raise ValueError(f"card_type must be one of {', '.join(CARD_TYPES)}, not {_short(kw['card_type'])}")
        if kw.get("sex", "unknown") not in SEXES:
            raise ValueError(f"sex must be one of {', '.join(SEXES)}, not {_short(kw['sex'])}")
        for k, limit in TEXT_LIMITS.items():
            v = kw.get(k)
            if v is None:
                continue
            if not isinstance(v, str):
                raise ValueError(f"{k} must be a string, not {_kind(v)}")
            if len(v) > limit:
                raise ValueError(f"{k} is {len(v)} characters; a card holds at most {limit}")
            if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in v):
                raise ValueError(f"{k} holds control characters or is not valid text")
        if not isinstance(kw.get("long_term", False), bool):
            raise ValueError(f"long_term must be true or false, not {_kind(kw['long_term'])}")
        if not isinstance(d.get("id_number_valid", False), (bool, type(None))):
            raise ValueError(f"id_number_valid must be true or false, not {_kind(d['id_number_valid'])}")
        for k in ("birth_date", "valid_from", "valid_to"):
            v = kw.get(k)
            if v is None or v == "":
                kw[k] = None
                continue
            if not isinstance(v, str) or len(v) != 10:
                raise ValueError(f"{k} must be a date YYYY-MM-DD, not {_short(v)}")
            try:
                kw[k] = _dt.date.fromisoformat(v)
            except ValueError:
                raise ValueError(f"{k} must be a date YYYY-MM-DD, not {_short(v)}") from None
        return cls(**kw)


CARD_TYPES = ("resident", "hmt_permit", "foreign_permanent", "social_security")
SEXES = ("male", "female", "unknown", "unspecified")
# The longest each text can be on a card (GA 450/GA 1509/GB/T 36338 field sizes, rounded up);
# anything longer is not a card's data.
TEXT_LIMITS = {"name": 60, "name_en": 120, "id_number": 18, "ethnicity": 20, "address": 120, "issuer": 60,
               "pass_number": 20, "nationality": 40, "card_number": 32, "region_code": 12}


def _kind(v) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(v), "a number" if isinstance(v, (int, float)) else type(v).__name__)


def _short(v, limit: int = 30) -> str:
    t = repr(v)
    return t if len(t) <= limit else t[:limit - 1] + "…"


def _iso(d: _dt.date | None) -> str | None:
    return d.isoformat() if d else None
