"""Loads a catalog file (JSON) into frozen Matters, refusing a bad file with file:line: key: reason."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kiosk import jurisdictions
from kiosk.catalog.model import (CARD_FIELDS, MATERIAL_KINDS, FormField, Guide, Material, Matter, OperationMapping)
from kiosk.errors import ConfigError
from kiosk.inputs import CATALOG_MAX, read_text_bounded

SAMPLE = Path(__file__).with_name("sample.json")
FORMAT_VERSION = 1
_SOURCE_RE = re.compile(r"^(form\.[a-z_][a-z0-9_]*|card\.[a-z_]+|delivery\.(method|address|recipient_phone)|kiosk\.id|const:.*)$")
CARD_TYPES = ("resident", "hmt_permit", "foreign_permanent", "social_security")
_CODE_RE = re.compile(r"^[A-Z]{2,4}-[A-Z0-9]{2,8}-\d{3,6}$")


class _Reader:
    def __init__(self, path: str, text: str):
        self.path, self.text = path, text

    def line_of(self, needle: str) -> int | None:
        i = self.text.find(needle)
        return None if i < 0 else self.text.count("\n", 0, i) + 1

    def fail(self, key: str, reason: str, code: str | None = None):
        line = self.line_of(f'"{code}"') if code else None
        if len(key) > 120:  # a key of a hostile file, cut: the answer stays one readable line
            key = key[:119] + "…"
        raise ConfigError(self.path, reason, key=key, line=line)


def parse_catalog(text: str, path: str = "<catalog>") -> tuple[Matter, ...]:
    """Parse and validate the catalog JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(path, f"not valid JSON: {e.msg} (column {e.colno})", line=e.lineno) from None
    except RecursionError:
        raise ConfigError(path, "not valid JSON: arrays or objects nested too deeply") from None
    except ValueError:  # an integer of thousands of digits
        raise ConfigError(path, "not valid JSON: a number of thousands of digits") from None
    r = _Reader(path, text)
    if not isinstance(raw, dict) or "matters" not in raw:
        r.fail("matters", 'expected an object {"format": 1, "matters": [...]}')
    if raw.get("format") != FORMAT_VERSION:
        r.fail("format", f"unsupported catalog format {_short(raw.get('format'))} (this kiosk reads {FORMAT_VERSION})")
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
        r.fail(f"{key}.code", f"must look like TZ-GJJ-001, not {_short(code)}")
    key = f"matters[{i}] ({code})"

    def need(d: dict, k: str, t: type | tuple, where: str, default: Any = ...):
        if k not in d:
            if default is ...:
                r.fail(f"{where}.{k}", "missing", code)
            return default
        v = d[k]
        if not isinstance(v, t) or (t is int and isinstance(v, bool)):
            r.fail(f"{where}.{k}", f"must be {getattr(t, '__name__', t)}, not {_short(v)}", code)
        if isinstance(v, str) and len(v) > MAX_TEXT:
            r.fail(f"{where}.{k}", f"longer than {MAX_TEXT} characters", code)
        return v

    allowed = {"code", "remote_code", "name", "name_en", "jurisdiction", "audience", "category", "kind", "offline_ok",
               "guide", "materials", "fields", "mapping", "accepts", "keywords", "popularity", "delivery"}
    for k in m:
        if k not in allowed:
            r.fail(f"{key}.{k}", "unknown key", code)
    jur = need(m, "jurisdiction", str, key)
    if not jurisdictions.valid_code(jur):
        r.fail(f"{key}.jurisdiction", jurisdictions.bad_code(jur), code)
    remote_code = need(m, "remote_code", str, key, None)  # the remote's 事项编码 / 实施编码
    if remote_code is not None and not remote_code.strip():
        r.fail(f"{key}.remote_code", "must not be empty (leave it out: the matter's own code is sent)", code)
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
        if len(g[k]) > MAX_TEXT:
            r.fail(f"{key}.guide.{k}", f"longer than {MAX_TEXT} characters", code)
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
        mkind, two_sided = need(mat, "kind", str, w, "document"), need(mat, "two_sided", bool, w, False)
        if mkind not in MATERIAL_KINDS:
            r.fail(f"{w}.kind", f"must be {' or '.join(MATERIAL_KINDS)}", code)
        if mkind == "id_card" and not two_sided:
            r.fail(f"{w}.two_sided", "an id_card material is scanned front and back: two_sided must be true", code)
        if two_sided and (pmin % 2 or pmax % 2):
            r.fail(f"{w}.pages_min", "a two_sided material has whole sheets: pages_min and pages_max must be even", code)
        materials.append(Material(code=need(mat, "code", str, w), name=need(mat, "name", str, w),
                                  required=need(mat, "required", bool, w, True), pages_min=pmin, pages_max=pmax,
                                  color=need(mat, "color", bool, w, False), note=need(mat, "note", str, w, ""),
                                  kind=mkind if mkind in MATERIAL_KINDS else "document", two_sided=two_sided,
                                  name_en=need(mat, "name_en", str, w, "")))
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
        choices = tuple(_strings(r, need(f, "choices", list, w, []), f"{w}.choices", code))
        if inp == "choice" and not choices:
            r.fail(f"{w}.choices", "a choice field needs choices", code)
        pattern = need(f, "pattern", str, w, None)
        if pattern:
            why = pattern_problem(pattern)
            if why:
                r.fail(f"{w}.pattern", why, code)
        max_length = need(f, "max_length", int, w, 100)
        if not 1 <= max_length <= MAX_FIELD_LENGTH:
            r.fail(f"{w}.max_length", f"must be between 1 and {MAX_FIELD_LENGTH}", code)
        fields.append(FormField(key=need(f, "key", str, w), label=need(f, "label", str, w),
                                label_en=need(f, "label_en", str, w, ""), source=src, input=inp,
                                required=need(f, "required", bool, w, True), pattern=pattern, choices=choices,
                                max_length=max_length))
    fkeys = {f.key for f in fields}
    if len(fkeys) != len(fields):
        r.fail(f"{key}.fields", "duplicate field key", code)

    mp = need(m, "mapping", dict, key)
    op = need(mp, "operation", str, f"{key}.mapping")
    fmap = need(mp, "fields", dict, f"{key}.mapping")
    for remote, src in fmap.items():
        if not isinstance(src, str) or not _SOURCE_RE.match(src):
            r.fail(f"{key}.mapping.fields.{remote}", f"bad source {_short(src)} (form.<key>, card.<attr>, delivery.<...>, kiosk.id, const:<v>)", code)
        if src.startswith("form.") and src[5:] not in fkeys:
            r.fail(f"{key}.mapping.fields.{remote}", f"refers to form field {_short(src[5:])}, which the matter does not have", code)
        if src.startswith("card.") and src[5:] not in CARD_FIELDS:
            r.fail(f"{key}.mapping.fields.{remote}", f"unknown card field {_short(src[5:])}", code)
    mapping = OperationMapping(operation=op, fields=dict(fmap), status_operation=need(mp, "status_operation", str, f"{key}.mapping", None))

    accepts = tuple(_strings(r, need(m, "accepts", list, key, list(CARD_TYPES)), f"{key}.accepts", code))
    for a in accepts:
        if a not in CARD_TYPES:
            r.fail(f"{key}.accepts", f"unknown card type {_short(a)}", code)
    delivery = tuple(_strings(r, need(m, "delivery", list, key, ["pickup", "mail"]), f"{key}.delivery", code))
    if not set(delivery) <= {"pickup", "mail", "electronic"} or not delivery:
        r.fail(f"{key}.delivery", "must be a non-empty list of pickup, mail, electronic", code)
    return Matter(code=code, name=need(m, "name", str, key), name_en=need(m, "name_en", str, key, ""),
                  jurisdiction=jur, audience=audience, category=need(m, "category", str, key), kind=kind,
                  offline_ok=offline_ok, guide=guide, materials=tuple(materials), fields=tuple(fields),
                  mapping=mapping, accepts=accepts,
                  keywords=tuple(_strings(r, need(m, "keywords", list, key, []), f"{key}.keywords", code)),
                  popularity=need(m, "popularity", int, key, 0), delivery=delivery, remote_code=remote_code)


def _strings(r: _Reader, items: list, where: str, code: str) -> list[str]:
    """A list whose items are non-empty strings (a keyword of 1, null or {} broke every search)."""
    for n, x in enumerate(items):
        if not isinstance(x, str) or not x.strip():
            r.fail(f"{where}[{n}]", f"must be a non-empty string, not {_short(x)}", code)
        if len(x) > MAX_FIELD_LENGTH:
            r.fail(f"{where}[{n}]", f"longer than {MAX_FIELD_LENGTH} characters", code)
    return items


def _short(v: Any, limit: int = 40) -> str:
    t = repr(v)
    return t if len(t) <= limit else t[:limit - 1] + "…"


# ---- field patterns ---------------------------------------------------------------------------
# A field's pattern runs on what a resident types, on the kiosk, with Python's backtracking `re`.
# A pattern such as (a+)+$ or (a|a)*$ takes exponential time on a 30-character mismatch and
# would freeze the form. The rule that keeps every accepted pattern fast:
#   - at most MAX_PATTERN_LENGTH characters, run on at most MAX_FIELD_LENGTH characters (a field's
#     max_length is checked before its pattern);
#   - inside a repetition that can repeat more than SAFE_REPEAT times (*, +, {2,}, {1,40}), no
#     further variable repetition (a+, \d{1,3}) and no alternation (a|b): fixed counts such as
#     (\d{3}-)+ and character classes such as [A-Z0-9]+ stay allowed;
#   - at most MAX_WIDE_REPEATS repetitions that can repeat more than SAFE_REPEAT times in all:
#     each one in a row can multiply the backtracking by the value's length. Measured here
#     (`python -c "import re,time; t=time.perf_counter(); re.fullmatch(r'\d*\d*\d*x', '1'*500);
#     print(time.perf_counter()-t)"`): three in a row on 500 characters 0.19 s, four 19 s;
#   - no backreferences (\1) and no conditional groups: they are not regular and can blow up.
# Every pattern a region's catalog needs (phone, ID, bank card, postcode, plate, date) fits.
MAX_PATTERN_LENGTH = 200
MAX_FIELD_LENGTH = 500
MAX_TEXT = 4000  # any one text of a matter (the sample's longest is 94)
SAFE_REPEAT = 10
MAX_WIDE_REPEATS = 3


def pattern_problem(pattern: str) -> str | None:
    """None when `pattern` is a safe field pattern; otherwise why it is refused."""
    import re._constants as c
    import re._parser as sre

    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH} characters"
    try:
        tree = sre.parse(pattern)
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as e:
        return f"not a valid regular expression: {e}"
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT) + ((c.POSSESSIVE_REPEAT,) if hasattr(c, "POSSESSIVE_REPEAT") else ())
    wide = 0

    def walk(items, inside: bool, times: int) -> str | None:
        nonlocal wide
        for op, av in items:
            if op in repeats:
                lo, hi, sub = av
                is_wide = hi == c.MAXREPEAT or hi > SAFE_REPEAT
                if inside and lo != hi:
                    return "a repetition inside a repetition (like (a+)+) can take exponential time"
                if is_wide:
                    wide += times
                why = walk(sub, inside or is_wide, times * (1 if is_wide else max(1, hi)))
            elif op is c.BRANCH:
                if inside:
                    return "an alternation inside a repetition (like (a|ab)*) can take exponential time"
                why = next((w for b in av[1] if (w := walk(b, inside, times))), None)
            elif op is c.SUBPATTERN:
                why = walk(av[3], inside, times)
            elif op in (c.ASSERT, c.ASSERT_NOT):
                why = walk(av[1], inside, times)
            elif op is getattr(c, "ATOMIC_GROUP", None):
                why = walk(av, inside, times)
            elif op in (c.GROUPREF, c.GROUPREF_EXISTS) or op is getattr(c, "GROUPREF_IGNORE", None):
                why = "backreferences and conditional groups are not allowed in a field pattern"
            else:
                why = None
            if why:
                return why
            if wide > MAX_WIDE_REPEATS:
                return (f"more than {MAX_WIDE_REPEATS} open-ended repetitions (*, +, {{n,}}) can take "
                        "polynomial time of high degree")
        return None

    why = walk(tree, False, 1)
    return f"{why}: refused (see kiosk/catalog/loader.py, field patterns)" if why else None


def _only_known(r: _Reader, d: Any, allowed, where: str, code: str) -> None:
    """`d` is an object whose keys are all in `allowed`."""
    if not isinstance(d, dict):
        r.fail(where, "must be an object", code)
    for k in d:
        if k not in allowed:
            r.fail(f"{where}.{k}", "unknown key", code)


def read_catalog_file(path: str | Path | None) -> tuple[Matter, ...]:
    p = Path(path) if path else SAMPLE
    return parse_catalog(read_text_bounded(p, CATALOG_MAX, "a catalog"), str(p))
