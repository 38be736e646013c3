"""What an ID-type card holds, in the driver's own words (kiosk/ maps it onto its Identity)."""
from __future__ import annotations

import dataclasses
import datetime as _dt

LAYOUTS = ("resident", "J", "I", "Y")  # byte 248 of the text: ' '/0, 'J', 'I', 'Y'


def _mask(number: str) -> str:
    return number[:6] + "*" * max(0, len(number) - 10) + number[-4:] if len(number) > 10 else "*" * len(number)


@dataclasses.dataclass(frozen=True)
class IdCardRecord:
    """One card as decoded from its 256-byte text (and the opaque WLT photo).
    `number` is the ID number (resident, 'J'), or the permanent-residence number ('I': 15 chars,
    'Y': 18 chars). Dates are None when blank; `valid_to` is None with `long_term` for 长期."""

    layout: str
    name: str
    number: str
    sex: str = "unknown"  # male | female | unknown | unspecified
    sex_code: str = ""
    ethnicity: str | None = None
    ethnicity_code: str | None = None
    birth_date: _dt.date | None = None
    address: str | None = None
    issuer: str | None = None
    valid_from: _dt.date | None = None
    valid_to: _dt.date | None = None
    long_term: bool = False
    name_en: str | None = None
    pass_number: str | None = None  # 'J': HK/Macao/Taiwan travel permit number
    issue_count: str | None = None  # 'J'
    nationality: str | None = None  # 'I', 'Y': ISO 3166 alpha-3
    renewal_count: str | None = None  # 'Y'
    card_version: str | None = None  # 'I'
    old_number: str | None = None  # 'Y': link to the 'I' number it replaces
    photo: bytes | None = dataclasses.field(default=None, repr=False, compare=False)
    fingerprint: bytes | None = dataclasses.field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:  # never a full name or number in a log line or traceback
        return f"IdCardRecord({self.layout}, {self.name[:1]}*, {_mask(self.number)})"

    __str__ = __repr__
