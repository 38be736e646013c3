"""Loads a catalog file (JSON) into frozen Matters, refusing a bad file with file:line: key: reason."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kiosk import jurisdictions
from kiosk.catalog.model import (CARD_FIELDS, FormField, Guide, Material, Matter, OperationMapping)
from kiosk.errors import ConfigError

SAMPLE = Path(__file__).with_name("sample.json")
FORMAT_VERSION = 1
_SOURCE_RE = re.compile(r"^(form\.[a-z_][a-z0-9_]*|card\.[a-z_]+|delivery\.(method|address|recipient_phone)|kiosk\.id|const:.*)$")
_CODE_RE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{2,8}-\d{3,6}$")


class _Reader:
    def __init__(self, path: str, text: str):
        self.path, self.text = path, text

    def line_of(self, needle: str) -> int | None:
        i = self.text.find(needle)
        return None if i < 0 else self.text.count("\n", 0, i) + 1

    def fail(self, key: str, reason: str, code: str | None = None):
        line = self.line_of(f'"{code}"') if code else None
        raise ConfigError(self.path, reason, key=key, line=line)


def parse_catalog(text: str, path: str = "<catalog>") -> tuple[Matter, ...]:
    """Parse and validate the catalog JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(path, f"not valid JSON: {e.msg} (column {e.colno})", line=e.lineno) from None
    r = _Reader(path, text)
    if not isinstance(raw, dict) or "matters" not in raw:
        r.fail("matters", 'expected an object {"format": 1, "matters": [...]}')
    if raw.get("format") != FORMAT_VERSION:
        r.fail("format", f"unsupported catalog format {raw.get('format')!r} (this kiosk reads {FORMAT_VERSION})")
    if not isinstance(raw["matters"], list) or not raw["matters"]:
        r.fail("matters", "must be a non-empty list")
    seen: set[str] = set()
    out = []
    for i, m in enumerate(raw["matters"]):
        matter = _matter(r, i, m)
        if matter.code in seen:
            r.fail(f"matters[{i}].code", f"duplicate matter code {matter.code}", matter.code)
        seen.add(matter.code)
        out.append(matter)
    return tuple(out)


def _matter(r: _Reader, i: int, m: Any) -> Matter:
    key = f"matters[{i}]"
    if not isinstance(m, dict):
        r.fail(key, "must be an object")
    code = m.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code):
        r.fail(f"{key}.code", f"must look like TZ-GJJ-001, not {code!r}")
    key = f"matters[{i}] ({code})"

    def need(d: dict, k: str, t: type | tuple, where: str, default: Any = ...):
        if k not in d:
            if default is ...:
                r.fail(f"{where}.{k}", "missing", code)
            return default
        v = d[k]
        if not isinstance(v, t) or (t is int and isinstance(v, bool)):
            r.fail(f"{where}.{k}", f"must be {getattr(t, '__name__', t)}, not {v!r}", code)
        return v

    allowed = {"code", "name", "name_en", "jurisdiction", "audience", "category", "kind", "offline_ok",
               "guide", "materials", "fields", "mapping", "accepts", "keywords", "popularity", "delivery"}
    for k in m:
        if k not in allowed:
            r.fail(f"{key}.{k}", "unknown key", code)
    jur = need(m, "jurisdiction", str, key)
    if jur not in jurisdictions.KNOWN:
        r.fail(f"{key}.jurisdiction", f"unknown jurisdiction {jur!r}", code)
    audience = need(m, "audience", str, key)
    if audience not in ("personal", "company"):
        r.fail(f"{key}.audience", "must be personal (个人) or company (法人)", code)
    kind = need(m, "kind", str, key)
    if kind not in ("query", "application"):
        r.fail(f"{key}.kind", "must be query or application", code)
    offline_ok = need(m, "offline_ok", bool, key, kind == "application")
    if kind == "query" and offline_ok:
        r.fail(f"{key}.offline_ok", "a query matter needs the network now; it cannot be queued", code)

    g = need(m, "guide", dict, key)
    gk = {f for f in Guide.__dataclass_fields__}
    for k in g:
        if k not in gk or not isinstance(g[k], str):
            r.fail(f"{key}.guide.{k}", "unknown key or not a string", code)
    if not g.get("summary"):
        r.fail(f"{key}.guide.summary", "missing", code)
    guide = Guide(**g)

    materials = []
    for j, mat in enumerate(need(m, "materials", list, key, [])):
        w = f"{key}.materials[{j}]"
        _only_known(r, mat, Material.__dataclass_fields__, w, code)
        pmin, pmax = need(mat, "pages_min", int, w, 1), need(mat, "pages_max", int, w, need(mat, "pages_min", int, w, 1))
        if not 1 <= pmin <= pmax <= 50:
            r.fail(f"{w}.pages_min", "need 1 ≤ pages_min ≤ pages_max ≤ 50", code)
        materials.append(Material(code=need(mat, "code", str, w), name=need(mat, "name", str, w),
                                  required=need(mat, "required", bool, w, True), pages_min=pmin, pages_max=pmax,
                                  color=need(mat, "color", bool, w, False), note=need(mat, "note", str, w, "")))
    if len({x.code for x in materials}) != len(materials):
        r.fail(f"{key}.materials", "duplicate material code", code)

    fields = []
    for j, f in enumerate(need(m, "fields", list, key, [])):
        w = f"{key}.fields[{j}]"
        _only_known(r, f, FormField.__dataclass_fields__, w, code)
        src = need(f, "source", str, w, "input")
        if src != "input" and not (src.startswith("card.") and src[5:] in CARD_FIELDS):
            r.fail(f"{w}.source", f"must be input or card.<{'|'.join(CARD_FIELDS)}>", code)
        inp = need(f, "input", str, w, "text")
        if inp not in ("text", "digits", "phone", "date", "chinese", "choice"):
            r.fail(f"{w}.input", "must be text, digits, phone, date, chinese or choice", code)
        choices = tuple(need(f, "choices", list, w, []))
        if inp == "choice" and not choices:
            r.fail(f"{w}.choices", "a choice field needs choices", code)
        pattern = need(f, "pattern", str, w, None)
        if pattern:
            try:
                re.compile(pattern)
            except re.error as e:
                r.fail(f"{w}.pattern", f"not a valid regular expression: {e}", code)
        fields.append(FormField(key=need(f, "key", str, w), label=need(f, "label", str, w),
                                label_en=need(f, "label_en", str, w, ""), source=src, input=inp,
                                required=need(f, "required", bool, w, True), pattern=pattern, choices=choices,
                                max_length=need(f, "max_length", int, w, 100)))
    fkeys = {f.key for f in fields}
    if len(fkeys) != len(fields):
        r.fail(f"{key}.fields", "duplicate field key", code)

    mp = need(m, "mapping", dict, key)
    op = need(mp, "operation", str, f"{key}.mapping")
    fmap = need(mp, "fields", dict, f"{key}.mapping")
    for remote, src in fmap.items():
        if not isinstance(src, str) or not _SOURCE_RE.match(src):
            r.fail(f"{key}.mapping.fields.{remote}", f"bad source {src!r} (form.<key>, card.<attr>, delivery.<...>, kiosk.id, const:<v>)", code)
        if src.startswith("form.") and src[5:] not in fkeys:
            r.fail(f"{key}.mapping.fields.{remote}", f"refers to form field {src[5:]!r}, which the matter does not have", code)
        if src.startswith("card.") and src[5:] not in CARD_FIELDS:
            r.fail(f"{key}.mapping.fields.{remote}", f"unknown card field {src[5:]!r}", code)
    mapping = OperationMapping(operation=op, fields=dict(fmap), status_operation=need(mp, "status_operation", str, f"{key}.mapping", None))

    accepts = tuple(need(m, "accepts", list, key, ["resident", "hmt_permit", "foreign_permanent", "social_security"]))
    for a in accepts:
        if a not in ("resident", "hmt_permit", "foreign_permanent", "social_security"):
            r.fail(f"{key}.accepts", f"unknown card type {a!r}", code)
    delivery = tuple(need(m, "delivery", list, key, ["pickup", "mail"]))
    if not set(delivery) <= {"pickup", "mail", "electronic"} or not delivery:
        r.fail(f"{key}.delivery", "must be a non-empty list of pickup, mail, electronic", code)
    return Matter(code=code, name=need(m, "name", str, key), name_en=need(m, "name_en", str, key, ""),
                  jurisdiction=jur, audience=audience, category=need(m, "category", str, key), kind=kind,
                  offline_ok=offline_ok, guide=guide, materials=tuple(materials), fields=tuple(fields),
                  mapping=mapping, accepts=accepts, keywords=tuple(need(m, "keywords", list, key, [])),
                  popularity=need(m, "popularity", int, key, 0), delivery=delivery)


def _only_known(r: _Reader, d: Any, allowed, where: str, code: str) -> None:
    """`d` is an object whose keys are all in `allowed`."""
    if not isinstance(d, dict):
        r.fail(where, "must be an object", code)
    for k in d:
        if k not in allowed:
            r.fail(f"{where}.{k}", "unknown key", code)


def read_catalog_file(path: str | Path | None) -> tuple[Matter, ...]:
    p = Path(path) if path else SAMPLE
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(p), "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(str(p), f"cannot read: {e}") from None
    return parse_catalog(text, str(p))
