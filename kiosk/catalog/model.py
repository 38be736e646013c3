"""The catalog of matters (政务服务事项): what each jurisdiction offers at the kiosk."""
from __future__ import annotations

import dataclasses
import re
from typing import Literal, Mapping

Audience = Literal["personal", "company"]  # 个人 / 法人
Kind = Literal["query", "application"]  # query: needs the network now; application: may be queued
InputKind = Literal["text", "digits", "phone", "date", "chinese", "choice"]
# What a material is: a document, or the resident's own ID card (scanned front and back on the
# scanner; the kiosk lets the card leave the reader for that, and asks for it back at the end).
MaterialKind = Literal["document", "id_card"]
MATERIAL_KINDS = ("document", "id_card")

# Sources a form field may be prefilled from: the Identity attributes a card gives.
CARD_FIELDS = ("name", "name_en", "id_number", "sex", "ethnicity", "birth_date", "address",
               "issuer", "valid_to", "pass_number", "nationality", "card_number")
INPUT_PATTERNS = {
    "phone": r"1[3-9]\d{9}",
    "digits": r"\d+",
    "date": r"\d{4}-\d{2}-\d{2}",
}


@dataclasses.dataclass(frozen=True)
class Guide:
    """办事指南: what the resident reads before starting."""

    summary: str
    conditions: str = ""
    fees: str = "不收费"
    time_limit: str = ""
    result: str = ""  # what the resident gets, and how (pick up / mail / electronic)
    where: str = ""  # the hall that handles it, its hours
    legal_basis: str = ""


@dataclasses.dataclass(frozen=True)
class Material:
    """申请材料: one document to scan into one PDF."""

    code: str
    name: str
    required: bool = True
    pages_min: int = 1
    pages_max: int = 1
    color: bool = False  # scan in colour (photos, certificates with seals)
    note: str = ""
    kind: MaterialKind = "document"
    two_sided: bool = False  # front then back, sheet by sheet (请翻面 between): pages come in pairs
    name_en: str = ""  # what English mode shows ("" shows the Chinese name)


@dataclasses.dataclass(frozen=True)
class FormField:
    key: str
    label: str
    label_en: str = ""
    source: str = "input"  # "input" or "card.<attr>"
    input: InputKind = "text"
    required: bool = True
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    max_length: int = 100

    @property
    def card_attr(self) -> str | None:
        return self.source[5:] if self.source.startswith("card.") else None

    def problem(self, value: str | None) -> tuple[str, dict[str, object]] | None:
        """None when the value is acceptable; otherwise why, as a kiosk.words key (field.*) and
        its values ({label} is filled by `validate` in the reader's language)."""
        v = (value or "").strip()
        if not v:
            return ("field.required", {}) if self.required else None
        if len(v) > self.max_length:
            return "field.too_long", {"n": self.max_length}
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in v):  # no keyboard types one; a command line can
            return "field.control", {}
        if self.input == "choice" and v not in self.choices:
            return "field.choice", {}
        pattern = self.pattern or INPUT_PATTERNS.get(self.input)
        if pattern and not re.fullmatch(pattern, v):
            if self.input in ("phone", "date"):
                return f"field.{self.input}", {}
            digits = re.fullmatch(r"\\d\{(\d+)(?:,(\d+))?\}", pattern)  # \d{n} or \d{lo,hi}: say the rule
            if digits:
                lo, hi = digits.group(1), digits.group(2) or digits.group(1)
                return ("field.digits", {"n": lo}) if lo == hi else ("field.digits_range", {"lo": lo, "hi": hi})
            return "field.pattern", {}
        return None

    def validate(self, value: str | None, lang: str = "zh") -> str | None:
        """None when the value is acceptable; otherwise a short reason in `lang` (zh | en)."""
        from kiosk.words import say

        why = self.problem(value)
        if why is None:
            return None
        key, values = why
        label = (self.label_en or self.label) if lang == "en" else self.label
        return say(key, lang, label=label, **values)


@dataclasses.dataclass(frozen=True)
class OperationMapping:
    """How a matter maps onto its jurisdiction's operation. `fields`: remote field name → source,
    one of form.<key>, card.<Identity attribute>, delivery.<method|address|recipient_phone>,
    kiosk.id, const:<value>."""

    operation: str
    fields: Mapping[str, str]
    status_operation: str | None = None


@dataclasses.dataclass(frozen=True)
class Matter:
    code: str
    name: str
    jurisdiction: str
    audience: Audience
    category: str
    kind: Kind
    guide: Guide
    mapping: OperationMapping
    name_en: str = ""
    offline_ok: bool = True
    materials: tuple[Material, ...] = ()
    fields: tuple[FormField, ...] = ()
    accepts: tuple[str, ...] = ("resident", "hmt_permit", "foreign_permanent", "social_security")
    keywords: tuple[str, ...] = ()
    popularity: int = 0
    delivery: tuple[str, ...] = ("pickup", "mail")  # how results may reach the resident
    remote_code: str | None = None  # the jurisdiction's own item code (事项编码 / 实施编码)

    @property
    def item_code(self) -> str:
        """The code the jurisdiction knows this matter by: remote_code, else the kiosk's own."""
        return self.remote_code or self.code

    def __repr__(self) -> str:
        return f"Matter({self.code} {self.name} @{self.jurisdiction})"

    def material(self, code: str) -> Material:
        for m in self.materials:
            if m.code == code:
                return m
        raise KeyError(code)
