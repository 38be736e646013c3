"""Interface profiles: how one jurisdiction's own SOAP or REST interface is spoken, described in a
TOML file shipped with the site config instead of code.

A profile names, for each of submit, upload (optional), status and query (optional), the SOAP
operation or the REST method + path, and its input as a template whose leaves are *sources*
(a closed set: the transaction id, the remote item code, form.*, card.*, ... ) passed through
*conversions* (a closed set of names: yyyymmdd, sex_code, ...). Answers are read by path (an XML
path of element names for SOAP, a JSON Pointer, RFC 6901, for REST); business result codes inside
HTTP 200 map to delivered / duplicate / retry / dead; remote status words map to the outbox's
remote states.

Sans-I/O: loading, validating, rendering and reading answers touch no network. The transports
do the I/O; `kiosk-admin check-config` proves a SOAP profile against its WSDL (profile_check)."""
from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import json
import os
import re
import tomllib
from typing import Any, Callable, Iterable, Mapping

from offline_queue.types import REMOTE_STATES, AttachmentRef, OutboxError, Request

FORMAT = 1
SHIPPED = os.path.join(os.path.dirname(__file__), "profiles")
LEGACY = {"soap": os.path.join(SHIPPED, "quyu-soap.toml"), "rest": os.path.join(SHIPPED, "quyu-rest.toml")}

# ---- the closed sets ------------------------------------------------------------------------
# Sources usable anywhere a transaction is rendered.
PLAIN_SOURCES = {
    "txid": "the transaction id (the idempotency key, the same on every attempt)",
    "tracking": "the tracking number printed on the receipt",
    "item_code": "the matter's remote item code (事项编码; the catalog's remote_code, else its code)",
    "matter": "the kiosk catalog's own matter code",
    "operation": "the matter's operation in the catalog (mapping.operation)",
    "submitted_at": "when the resident submitted (ISO 8601 with offset)",
    "now": "the time of this attempt (ISO 8601 with offset): changes on every retry",
    "kiosk.id": "the kiosk's id",
    "corrects": "the txid of the transaction this one corrects (补正); empty for a first submission",
    "mapped": "the mapped form as one object (a JSON body member)",
    "form_json": "the mapped form (catalog mapping: remote name → value) as one JSON string",
    "attachment_count": "how many attachments the transaction carries",
    "reference": "the remote's reference (status queries; empty when not yet known)",
}
PREFIX_SOURCES = {
    "form.": "a form value typed or chosen by the resident",
    "card.": "an attribute read from the resident's card (name, id_number, sex, birth_date, card_type, ...)",
    "delivery.": "method, address or recipient_phone",
    "mapped.": "one value of the matter's catalog mapping, by its remote name",
    "param.": "a query parameter (query operations)",
}
EACH = {
    "attachments": ("attachment.", ("material", "name", "filename", "sha256", "size", "content_type", "content",
                                    "file_id")),
    "mapped": ("item.", ("name", "value")),
    "params": ("item.", ("name", "value")),
}
ATTACHMENT_SOURCES = {f"attachment.{k}" for k in EACH["attachments"][1]}
PERSONAL_PREFIXES = ("form.", "card.name", "card.id_number", "card.birth", "card.address", "card.name_en", "card.pass_number",
                     "card.card_number", "card.valid", "card.issuer", "card.nationality", "card.ethnicity", "card.region", "delivery.address",
                     "delivery.recipient_phone", "mapped", "param.", "item.value", "form_json", "params",
                     "attachment.content")

CARD_TYPE_CODES = {"resident": "111", "foreign_permanent": "553"}  # the widely used 证件类型 list
SEX_CODES = {"male": "1", "female": "2", "unknown": "0", "unspecified": "9"}  # GB/T 2261.1


def _date(v: str) -> _dt.date:
    return _dt.date.fromisoformat(v[:10])


def _datetime(v: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(v)


CONVERSIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "yyyymmdd": ("a date as 20261202", lambda v: _date(v).strftime("%Y%m%d") if v else ""),
    "date": ("a date as 2026-12-02", lambda v: _date(v).isoformat() if v else ""),
    "datetime": ("a time as 2026-12-02 08:30:00", lambda v: _datetime(v).strftime("%Y-%m-%d %H:%M:%S") if v else ""),
    "compact_datetime": ("a time as 20261202083000", lambda v: _datetime(v).strftime("%Y%m%d%H%M%S") if v else ""),
    "utc": ("a time as 2026-12-02T00:30:00Z", lambda v: _datetime(v).astimezone(_dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ") if v else ""),
    "sex_code": ("sex as GB/T 2261.1: 1 male, 2 female, 0 unknown, 9 unspecified", lambda v: SEX_CODES.get(v, "0")),
    "id_type_code": ("card type as 证件类型: 111 居民身份证, 553 外国人永久居留身份证 (others: map:)", None),
    "int": ("a whole number", None),
    "bool": ("true/false from true, 1, yes", lambda v: str(v).strip().lower() in ("true", "1", "yes", "y")),
    "upper": ("upper case", lambda v: str(v).upper()),
    "optional": ("leave the element out when the value is empty", None),
    "base64": ("bytes or text as base64 text", None),
}
CONV_MAP = "map:"  # map:NAME looks the value up in the profile's [maps.NAME]

ANSWER_OUTCOMES = ("delivered", "duplicate", "retry", "dead")
OPS = ("submit", "upload", "status", "query")
ATTACH_MODES_REST = ("none", "inline", "multipart", "upload")
ATTACH_MODES_SOAP = ("none", "inline", "upload")
WSSE_MODES = ("none", "text", "digest")
AUTH_MODES = ("none", "bearer", "api_key")
METHODS = ("GET", "POST", "PUT", "PATCH")
_BRACE = re.compile(r"\{([^{}]*)\}")
_OMIT = object()


class ProfileError(OutboxError):
    """A profile that cannot be used: one or more `file:line: path: reason` lines."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems) if len(self.problems) < 4 else
                         "; ".join(self.problems[:3]) + f"; and {len(self.problems) - 3} more")


class RenderError(OutboxError):
    """A transaction this profile cannot render, or an answer it cannot read: a configuration
    problem, so the item goes dead with this reason (which names what to fix)."""


# ---- the parsed profile ---------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Leaf:
    source: str
    convs: tuple[str, ...]
    path: str
    line: int | None

    @property
    def personal(self) -> bool:
        return self.source.startswith(PERSONAL_PREFIXES)


@dataclasses.dataclass(frozen=True)
class Obj:
    children: tuple[tuple[str, Any], ...]  # (name, node), in file order
    path: str
    line: int | None


@dataclasses.dataclass(frozen=True)
class Items:
    """A fixed list of repeated elements (an array of tables)."""
    items: tuple[Any, ...]
    path: str
    line: int | None


@dataclasses.dataclass(frozen=True)
class Each:
    """One repeated element per attachment / mapped value / query parameter."""
    over: str
    body: Obj
    path: str
    line: int | None


@dataclasses.dataclass(frozen=True)
class Answer:
    reference: str | None = None
    duplicate: str | None = None
    code: str | None = None
    message: str | None = None
    codes: Mapping[str, str] = dataclasses.field(default_factory=dict)  # code → outcome
    file_id: str | None = None  # upload: where the file id is
    status: str | None = None
    reason: str | None = None
    words: Mapping[str, str] = dataclasses.field(default_factory=dict)  # remote word → state
    result: str | None = None  # query: where the answer's record is
    pairs: tuple[str, str] | None = None  # query: a list of {name, value} records


@dataclasses.dataclass(frozen=True)
class Op:
    kind: str  # submit | upload | status | query
    operation: str | None  # SOAP
    method: str  # REST
    path: str  # REST path template
    catalog_operation: bool  # the matter's operation from the catalog overrides operation/path
    headers: tuple[tuple[str, str], ...]
    id_header: str | None  # REST: the header carrying the transaction id
    attachments: str  # none | inline | multipart | upload (submit)
    json_part: str  # multipart: the JSON part's field name
    file_part: str  # multipart: each file part's field name
    file: str  # REST upload: raw (the file is the body) or multipart (a file part, beside the body as JSON)
    body: Any  # template (Obj) or None (REST: no body)
    answer: Answer
    line: int | None


@dataclasses.dataclass(frozen=True)
class Profile:
    path: str
    protocol: str
    name: str
    service: str | None
    port: str | None
    binding: str | None
    wsse: str
    wsse_timestamp: bool
    auth: str
    api_key_header: str
    ops: Mapping[str, Op]
    maps: Mapping[str, Mapping[str, str]]
    lines: "_Lines"

    def op(self, kind: str) -> Op:
        try:
            return self.ops[kind]
        except KeyError:
            raise RenderError(f"{self.path}: the profile has no [{kind}] operation") from None

    def where(self, dotted: str) -> str:
        line = self.lines.line(dotted)
        return f"{self.path}:{line}" if line else self.path


# ---- line numbers for messages --------------------------------------------------------------
class _Lines:
    """The line of a dotted key in the TOML text (tomllib keeps no positions): headers and
    `key =` lines; a key inside an inline table is searched from its parent's line on."""

    _HDR = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_\-\.$]+)\s*=')

    def __init__(self, text: str):
        self.text = text.splitlines()
        self.where: dict[str, int] = {}
        table = ""
        for n, line in enumerate(self.text, 1):
            m = self._HDR.match(line)
            if m:
                table = ".".join(p.strip().strip('"') for p in m.group(1).split("."))
                self.where.setdefault(table, n)
                continue
            m = self._KEY.match(line)
            if m:
                key = m.group(1).strip('"')
                parts = key.split(".") if not m.group(1).startswith('"') else [key]
                for i in range(1, len(parts) + 1):  # a.b.c = ... also places a and a.b
                    k = ".".join(parts[:i])
                    self.where.setdefault(f"{table}.{k}" if table else k, n)

    def line(self, dotted: str) -> int | None:
        dotted = re.sub(r"\[\d+\]", "", dotted)
        if dotted in self.where:
            return self.where[dotted]
        parent, _, last = dotted.rpartition(".")
        start = self.line(parent) if parent else 1
        if start is None:
            return None
        pat = re.compile(r'(^|[{,\s])("?)' + re.escape(last) + r'\2\s*=')
        for n in range(start, len(self.text) + 1):
            if pat.search(self.text[n - 1]):
                return n
        return start


# ---- loading --------------------------------------------------------------------------------
def load_profile(path: str) -> Profile:
    """Read and validate a profile; every problem found is reported (ProfileError)."""
    try:
        with open(path, "rb") as f:
            raw_bytes = f.read()
        text = raw_bytes.decode("utf-8")
    except FileNotFoundError:
        raise ProfileError([f"{path}: no such profile file"]) from None
    except OSError as e:
        raise ProfileError([f"{path}: cannot read: {e.strerror}"]) from None
    except UnicodeDecodeError:
        raise ProfileError([f"{path}: not UTF-8 text"]) from None
    return parse_profile(text, path)


_cache: dict[tuple[str, int], Profile] = {}


def cached_profile(path: str) -> Profile:
    """load_profile, kept while the file is unchanged (transports call this on every send)."""
    try:
        key = (path, os.stat(path).st_mtime_ns)
    except OSError:
        return load_profile(path)
    p = _cache.get(key)
    if p is None:
        p = _cache[key] = load_profile(path)
    return p


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise ProfileError([f"{path}:{m.group(1) if m else '?'}: not valid TOML: {reason}"]) from None
    lines = _Lines(text)
    problems: list[str] = []

    def bad(dotted: str, reason: str) -> None:
        line = lines.line(dotted) if dotted else None
        problems.append(f"{path}:{line or 1}: {dotted or '(file)'}: {reason}")

    top = {"profile", "protocol", "name", "soap", "security", "maps", *OPS}
    for k in raw:
        if k not in top:
            bad(k, f"unknown key (expected {', '.join(sorted(top))})")
    if raw.get("profile") != FORMAT:
        bad("profile", f"must be {FORMAT} (the profile format version)")
    protocol = raw.get("protocol")
    if protocol not in ("soap", "rest"):
        bad("protocol", f'must be "soap" or "rest", not {protocol!r}')
        raise ProfileError(problems)
    soap = _table(raw, "soap", bad)
    if protocol == "rest" and soap:
        bad("soap", "a REST profile has no [soap] section")
    for k in soap:
        if k not in ("service", "port", "binding"):
            bad(f"soap.{k}", "unknown key (expected service, port, binding)")
        elif not isinstance(soap[k], str):
            bad(f"soap.{k}", "must be a string")
    sec = _table(raw, "security", bad)
    for k in sec:
        if k not in ("wsse", "wsse_timestamp", "auth", "api_key_header"):
            bad(f"security.{k}", "unknown key (expected wsse, wsse_timestamp, auth, api_key_header)")
    wsse = sec.get("wsse", "none")
    if wsse not in WSSE_MODES:
        bad("security.wsse", f"must be one of {', '.join(WSSE_MODES)}")
    if protocol == "rest" and wsse != "none":
        bad("security.wsse", "WS-Security is for SOAP profiles")
    auth = sec.get("auth", "none")
    if auth not in AUTH_MODES:
        bad("security.auth", f"must be one of {', '.join(AUTH_MODES)}")
    if protocol == "soap" and auth != "none":
        bad("security.auth", "bearer / api_key are for REST profiles (SOAP: wsse)")
    if not isinstance(sec.get("wsse_timestamp", False), bool):
        bad("security.wsse_timestamp", "must be true or false")
    elif sec.get("wsse_timestamp") and wsse == "none":
        bad("security.wsse_timestamp", 'a Timestamp travels in the WS-Security header: set wsse = "text" or "digest"')
    api_hdr = sec.get("api_key_header", "X-Api-Key")
    if not isinstance(api_hdr, str) or not re.fullmatch(r"[A-Za-z0-9\-_]+", api_hdr):
        bad("security.api_key_header", "must be an HTTP header name")

    maps: dict[str, dict[str, str]] = {}
    for name, table in _table(raw, "maps", bad).items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            bad(f"maps.{name}", "must be a table of value = \"code\" strings")
        else:
            maps[name] = dict(table)

    ops: dict[str, Op] = {}
    for kind in OPS:
        if kind in raw:
            op = _op(kind, raw[kind], protocol, maps, bad, lines)
            if op is not None:
                ops[kind] = op
    for kind in ("submit", "status"):
        if kind not in raw:
            bad("", f"missing [{kind}] (every profile says how to submit and how to ask for status)")
    if "submit" in ops:
        mode = ops["submit"].attachments
        if mode == "upload" and "upload" not in ops:
            bad("submit.attachments", 'is "upload": the profile needs an [upload] operation')
        if mode != "upload" and "upload" in ops:
            bad("upload", f'submit.attachments is "{mode}": set it to "upload" to use [upload]')
    if problems:
        raise ProfileError(problems)
    return Profile(path=path, protocol=protocol, name=str(raw.get("name", os.path.basename(path))),
                   service=soap.get("service"), port=soap.get("port"), binding=soap.get("binding"),
                   wsse=wsse, wsse_timestamp=bool(sec.get("wsse_timestamp", False)), auth=auth,
                   api_key_header=api_hdr, ops=ops, maps=maps, lines=lines)


def _table(raw: dict, key: str, bad) -> dict:
    v = raw.get(key, {})
    if not isinstance(v, dict):
        bad(key, "must be a table")
        return {}
    return v


_OP_KEYS = {
    "soap": {"operation", "catalog_operation", "input", "answer", "attachments"},
    "rest": {"method", "path", "catalog_operation", "headers", "id", "body", "answer", "attachments", "multipart",
             "file"},
}


def _op(kind: str, d: Any, protocol: str, maps, bad, lines) -> Op | None:
    if not isinstance(d, dict):
        bad(kind, "must be a table")
        return None
    for k in d:
        if k not in _OP_KEYS[protocol]:
            bad(f"{kind}.{k}", f"unknown key for a {protocol.upper()} operation (expected "
                               f"{', '.join(sorted(_OP_KEYS[protocol]))})")
    catalog_op = d.get("catalog_operation", False)
    if not isinstance(catalog_op, bool):
        bad(f"{kind}.catalog_operation", "must be true or false")
    scope = _scope(kind)
    operation, method, path = None, "POST", ""
    headers: list[tuple[str, str]] = []
    id_header = None
    if protocol == "soap":
        operation = d.get("operation")
        if not isinstance(operation, str) or not re.fullmatch(r"[A-Za-z_][\w.\-]*", operation):
            bad(f"{kind}.operation", "must name the WSDL operation (e.g. acceptApply)")
        body_key = "input"
    else:
        method = d.get("method", "GET" if kind == "status" else "POST")
        if method not in METHODS:
            bad(f"{kind}.method", f"must be one of {', '.join(METHODS)}")
        path = d.get("path", "")
        if not isinstance(path, str) or not path.startswith("/"):
            bad(f"{kind}.path", "must be a path template starting with / (e.g. /api/apply/{txid})")
            path = "/"
        for src in _BRACE.findall(path):
            _check_leaf(src, scope, maps, f"{kind}.path", bad)
        hd = d.get("headers", {})
        if not isinstance(hd, dict):
            bad(f"{kind}.headers", "must be a table of header = \"template\"")
            hd = {}
        for h, v in hd.items():
            if not re.fullmatch(r"[A-Za-z0-9\-_]+", h) or not isinstance(v, str):
                bad(f"{kind}.headers.{h}", "a header name = a template string such as \"{kiosk.id}\"")
                continue
            for src in _BRACE.findall(v):
                _check_leaf(src, scope, maps, f"{kind}.headers.{h}", bad)
            headers.append((h, v))
        idw = d.get("id", "header:Idempotency-Key" if kind in ("submit", "upload") else "none")
        if idw == "body" or idw == "none":
            pass
        elif isinstance(idw, str) and re.fullmatch(r"header:[A-Za-z0-9\-_]+", idw):
            id_header = idw[7:]
        else:
            bad(f"{kind}.id", 'must be "header:<Name>", "body" (the template carries {txid}) or "none"')
        body_key = "body"
    attachments = d.get("attachments", "none")
    modes = ATTACH_MODES_SOAP if protocol == "soap" else ATTACH_MODES_REST
    if kind != "submit":
        if "attachments" in d:
            bad(f"{kind}.attachments", "only [submit] says how attachments travel")
    elif attachments not in modes:
        bad(f"{kind}.attachments", f"must be one of {', '.join(modes)}")
    mp = d.get("multipart", {})
    if not isinstance(mp, dict) or any(k not in ("json_part", "file_part") for k in mp):
        bad(f"{kind}.multipart", "keys: json_part, file_part")
        mp = {}
    if mp and attachments != "multipart" and kind == "submit":
        bad(f"{kind}.multipart", 'only with attachments = "multipart"')
    file = d.get("file", "raw" if kind == "upload" else "none")
    if "file" in d and kind != "upload":
        bad(f"{kind}.file", "only [upload] sends a file")
    elif kind == "upload" and file not in ("raw", "multipart"):
        bad(f"{kind}.file", 'must be "raw" (the file is the body) or "multipart"')
    body = None
    if body_key in d and protocol == "rest" and isinstance(d[body_key], str):
        body = _leaf(d[body_key], f"{kind}.{body_key}", scope, maps, bad, lines)
    elif body_key in d:
        if not isinstance(d[body_key], dict):
            bad(f"{kind}.{body_key}", "must be a table (the template)")
        else:
            body = _node(d[body_key], f"{kind}.{body_key}", scope, maps, bad, lines)
    elif protocol == "soap":
        body = Obj((), f"{kind}.input", lines.line(kind))
    answer = _answer(kind, d.get("answer", {}), protocol, bad, lines)
    if protocol == "rest" and kind == "submit" and idw == "body" and body is not None \
            and "txid" not in {lf.source for lf in leaves(body)}:
        bad(f"{kind}.id", 'is "body" but no leaf of the body is "txid"')
    if kind == "submit" and attachments == "inline" and body is not None \
            and not any(lf.source == "attachment.content" for lf in leaves(body)):
        bad(f"{kind}.attachments", 'is "inline" but no leaf of the template is "attachment.content"')
    return Op(kind=kind, operation=operation, method=method, path=path, catalog_operation=bool(catalog_op),
              headers=tuple(headers), id_header=id_header, attachments=attachments if kind == "submit" else "none",
              json_part=mp.get("json_part", "data"), file_part=mp.get("file_part", "files"), file=file, body=body,
              answer=answer, line=lines.line(kind))


def _scope(kind: str) -> str:
    return {"upload": "attachment", "status": "status", "query": "query"}.get(kind, "tx")


def _node(v: Any, path: str, scope: str, maps, bad, lines) -> Any:
    if isinstance(v, str):
        return _leaf(v, path, scope, maps, bad, lines)
    if isinstance(v, dict):
        if "$each" in v:
            over = v["$each"]
            if over not in EACH:
                bad(f"{path}.$each", f"must be one of {', '.join(EACH)}")
                return Obj((), path, lines.line(path))
            inner = {k: x for k, x in v.items() if k != "$each"}
            body = _node(inner, path, f"each:{over}:{scope}", maps, bad, lines)
            return Each(over, body, path, lines.line(path))
        kids = []
        for k, x in v.items():
            if not re.fullmatch(r"[A-Za-z_][\w.\-]*", k) and not k.startswith("@"):
                bad(f"{path}.{k}", "not an element / member name")
                continue
            kids.append((k, _node(x, f"{path}.{k}", scope, maps, bad, lines)))
        return Obj(tuple(kids), path, lines.line(path))
    if isinstance(v, list):
        if not v or not all(isinstance(x, dict) for x in v):
            bad(path, "a list must be tables (repeated elements), each a template")
            return Items((), path, lines.line(path))
        return Items(tuple(_node(x, f"{path}[{i}]", scope, maps, bad, lines) for i, x in enumerate(v)),
                     path, lines.line(path))
    bad(path, f"must be a source string or a table, not {type(v).__name__} {v!r} (constants: \"const:{v}\")")
    return Leaf("const:", (), path, lines.line(path))


def _leaf(v: str, path: str, scope: str, maps, bad, lines) -> Leaf:
    src, convs = _split(v)
    _check_leaf(v, scope, maps, path, bad)
    return Leaf(src, convs, path, lines.line(path))


def _split(v: str) -> tuple[str, tuple[str, ...]]:
    v = v.strip()
    if v.startswith("const:"):
        return v, ()
    parts = [p.strip() for p in v.split("|")]
    return parts[0], tuple(parts[1:])


def _check_leaf(v: str, scope: str, maps, path: str, bad) -> None:
    src, convs = _split(v)
    why = source_problem(src, scope)
    if why:
        bad(path, why)
    for c in convs:
        if c.startswith(CONV_MAP):
            if c[len(CONV_MAP):] not in maps:
                bad(path, f"conversion {c!r}: no [maps.{c[len(CONV_MAP):]}] table in the profile")
        elif c not in CONVERSIONS:
            bad(path, f"unknown conversion {c!r} (known: {', '.join(CONVERSIONS)}, map:<name>)")


def source_problem(src: str, scope: str) -> str | None:
    """Why `src` is not a source here (None: fine). scope: tx | attachment | status | query, or
    each:<over>:<scope> inside a repeated element."""
    if src.startswith("const:"):
        return None
    each = None
    if scope.startswith("each:"):
        _, each, scope = scope.split(":", 2)
    if each:
        prefix, names = EACH[each]
        if src.startswith(prefix) and src[len(prefix):] in names:
            if src == "attachment.file_id" and scope != "tx":
                return "attachment.file_id exists only in [submit], after the upload"
            return None
    if scope == "attachment" and src in ATTACHMENT_SOURCES and src != "attachment.file_id":
        return None
    if src in PLAIN_SOURCES:
        return None
    if scope == "query" and src in ("params", "query.operation"):
        return None
    for p in PREFIX_SOURCES:
        if src.startswith(p) and len(src) > len(p):
            if p == "param." and scope != "query":
                return f"source {src!r}: param.* exists only in [query]"
            if p == "delivery." and src[len(p):] not in ("method", "address", "recipient_phone"):
                return f"source {src!r}: delivery.method, delivery.address or delivery.recipient_phone"
            return None
    if src.startswith(("attachment.", "item.")):
        return (f"source {src!r}: only inside a repeated element with \"$each\" = "
                f"\"{'attachments' if src.startswith('attachment.') else 'mapped'}\"" +
                (" (or in [upload])" if src.startswith("attachment.") else ""))
    return (f"unknown source {src!r} (sources: {', '.join(PLAIN_SOURCES)}, "
            f"{', '.join(p + '<name>' for p in PREFIX_SOURCES)}, const:<value>)")


def _answer(kind: str, d: Any, protocol: str, bad, lines) -> Answer:
    where = f"{kind}.answer"
    if not isinstance(d, dict):
        bad(where, "must be a table")
        return Answer()
    keys = {"reference", "duplicate", "code", "message", "codes", "file_id", "status", "reason", "words",
            "result", "pairs"}
    for k in d:
        if k not in keys:
            bad(f"{where}.{k}", f"unknown key (expected {', '.join(sorted(keys))})")
    paths = {}
    for k in ("reference", "duplicate", "code", "message", "file_id", "status", "reason", "result"):
        if k in d:
            p = d[k]
            why = answer_path_problem(p, protocol)
            if why:
                bad(f"{where}.{k}", why)
            paths[k] = p
    codes: dict[str, str] = {}
    for outcome, vals in (d.get("codes") or {}).items():
        if outcome not in ANSWER_OUTCOMES:
            bad(f"{where}.codes.{outcome}", f"must be one of {', '.join(ANSWER_OUTCOMES)}")
            continue
        if not isinstance(vals, list) or not all(isinstance(x, (str, int)) for x in vals):
            bad(f"{where}.codes.{outcome}", "must be a list of codes")
            continue
        for x in vals:
            codes[str(x)] = outcome
    if codes and "code" not in d:
        bad(f"{where}.codes", "needs answer.code: where the business result code is")
    if "code" in d and not codes:
        bad(f"{where}.code", "needs answer.codes: which codes mean delivered, duplicate, retry, dead")
    words: dict[str, str] = {}
    for state, vals in (d.get("words") or {}).items():
        if state not in REMOTE_STATES or state == "unknown":
            bad(f"{where}.words.{state}", f"must be one of {', '.join(REMOTE_STATES[:-1])}")
            continue
        if not isinstance(vals, list) or not all(isinstance(x, (str, int)) for x in vals):
            bad(f"{where}.words.{state}", "must be a list of the remote's words or codes")
            continue
        for x in vals:
            words[str(x)] = state
    if kind == "status":
        if "status" not in d:
            bad(where, "missing status: where the remote's status word is")
        if not words:
            bad(f"{where}.words", "missing: map the remote's status words onto received, prereview_passed, "
                                  "needs_correction, completed, rejected")
    pairs = d.get("pairs")
    if pairs is not None and not (isinstance(pairs, list) and len(pairs) == 2 and all(isinstance(x, str) for x in pairs)):
        bad(f"{where}.pairs", 'must be ["<name element>", "<value element>"]')
        pairs = None
    return Answer(reference=paths.get("reference"), duplicate=paths.get("duplicate"), code=paths.get("code"),
                  message=paths.get("message"), codes=codes, file_id=paths.get("file_id"),
                  status=paths.get("status"), reason=paths.get("reason"), words=words, result=paths.get("result"),
                  pairs=tuple(pairs) if pairs else None)


def answer_path_problem(p: Any, protocol: str) -> str | None:
    if not isinstance(p, str):
        return "must be a string"
    if protocol == "rest":
        if p and not p.startswith("/"):
            return f"{p!r} is not a JSON Pointer (RFC 6901): it starts with / (e.g. /data/receiveNo), or is \"\""
        if re.search(r"~[^01]|~$", p):
            return f"{p!r} is not a JSON Pointer: ~ must be followed by 0 or 1"
        return None
    if p == "":
        return None
    if not re.fullmatch(r"[A-Za-z_][\w.\-]*(/[A-Za-z_][\w.\-]*)*", p):
        return f"{p!r} is not an XML path: element names separated by / (e.g. result/resultCode)"
    return None


def leaves(node: Any) -> Iterable[Leaf]:
    """Every leaf of a template, in order."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Obj):
        for _, k in node.children:
            yield from leaves(k)
    elif isinstance(node, Items):
        for k in node.items:
            yield from leaves(k)
    elif isinstance(node, Each):
        yield from leaves(node.body)


# ---- rendering ------------------------------------------------------------------------------
@dataclasses.dataclass
class Context:
    """What a template reads: the sealed request, the attachments' bytes (read on demand), the
    file ids an upload returned, and (status/query) the reference, operation and parameters."""

    request: Request | None = None
    read_attachment: Callable[[AttachmentRef], bytes] | None = None
    file_ids: dict[str, str] = dataclasses.field(default_factory=dict)
    attachment: AttachmentRef | None = None
    item: tuple[str, str] | None = None
    txid: str = ""
    reference: str = ""
    operation: str = ""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    now: Callable[[], _dt.datetime] = lambda: _dt.datetime.now().astimezone()
    mask: Callable[[Any], Any] | None = None  # render for a person to read: personal values masked
    maps: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    def value(self, src: str) -> Any:
        r = self.request
        vals = r.values if r is not None else {}
        if src.startswith("const:"):
            return src[6:]
        if src.startswith("attachment."):
            a = self.attachment
            if a is None:
                raise RenderError(f"source {src} used outside an attachment")
            k = src[11:]
            if k == "content":
                if self.read_attachment is None:
                    return b""
                return self.read_attachment(a)
            if k == "name":
                return vals.get(f"material_name.{a.material}", a.material)
            if k == "filename":
                return f"{a.material}-{a.sha256[:8]}.pdf"
            if k == "file_id":
                fid = self.file_ids.get(a.sha256)
                if fid is None:
                    raise RenderError(f"no file id for attachment {a.material}: the upload answer gave none")
                return fid
            return getattr(a, k)
        if src.startswith("item."):
            if self.item is None:
                raise RenderError(f"source {src} used outside a repeated element")
            return self.item[0] if src == "item.name" else self.item[1]
        if src == "txid":
            return r.txid if r is not None else self.txid
        if src == "matter":
            return r.matter if r else ""
        if src == "operation":
            return self.operation or (r.operation if r else "")
        if src == "query.operation":
            return self.operation
        if src == "item_code":
            return vals.get("item_code") or (r.matter if r else "")
        if src == "reference":
            return self.reference
        if src == "now":
            return self.now().isoformat(timespec="seconds")
        if src == "form_json":
            return json.dumps(dict(r.fields) if r else {}, ensure_ascii=False, sort_keys=True)
        if src == "attachment_count":
            return len(r.attachments) if r else 0
        if src == "params":
            return dict(self.params)
        if src == "mapped":
            return dict(r.fields) if r else {}
        if src.startswith("param."):
            return self.params.get(src[6:], "")
        if src.startswith("mapped."):
            return (r.fields if r else {}).get(src[7:], "")
        if src in ("tracking", "submitted_at", "kiosk.id", "corrects") or src.startswith(("form.", "card.", "delivery.")):
            return vals.get(src, "")
        raise RenderError(f"unknown source {src!r}")


def convert(value: Any, convs: tuple[str, ...], maps: Mapping[str, Mapping[str, str]], where: str) -> Any:
    for c in convs:
        try:
            if c == "optional":
                if value in ("", None, b""):
                    return _OMIT
            elif c == "int":
                value = int(str(value).strip())
            elif c == "base64":
                value = base64.b64encode(value if isinstance(value, bytes) else str(value).encode()).decode("ascii")
            elif c == "id_type_code":
                if value not in CARD_TYPE_CODES:
                    raise RenderError(f"{where}: no 证件类型 code for card type {value!r}: "
                                      f"use map:<name> with a [maps.<name>] table in the profile")
                value = CARD_TYPE_CODES[value]
            elif c.startswith(CONV_MAP):
                table = maps.get(c[len(CONV_MAP):], {})
                if str(value) not in table:
                    if value in ("", None):
                        continue
                    raise RenderError(f"{where}: {c}: {str(value)!r} is not in [maps.{c[len(CONV_MAP):]}]: add it")
                value = table[str(value)]
            else:
                value = CONVERSIONS[c][1](value)
        except RenderError:
            raise
        except (ValueError, TypeError) as e:
            raise RenderError(f"{where}: conversion {c} cannot take this value ({type(e).__name__})") from None
    return value


def render(node: Any, ctx: Context, *, binary: bool = True) -> Any:
    """The template with every leaf resolved: dicts, lists, str/int/bool/bytes. `binary=False`
    (JSON) turns bytes into base64 text. Leaves whose value is omitted (`| optional`) vanish."""
    if isinstance(node, Leaf):
        v = ctx.value(node.source)
        v = convert(v, node.convs, ctx.maps, node.path)
        if v is _OMIT:
            return _OMIT
        if isinstance(v, bytes) and not binary:
            v = base64.b64encode(v).decode("ascii")
        if ctx.mask is not None and node.personal:
            v = ctx.mask(v)
        return v
    if isinstance(node, Obj):
        out = {}
        for name, kid in node.children:
            v = render(kid, ctx, binary=binary)
            if v is not _OMIT:
                out[name] = v
        return out
    if isinstance(node, Items):
        return [render(k, ctx, binary=binary) for k in node.items]
    if isinstance(node, Each):
        out = []
        if node.over == "attachments":
            saved = ctx.attachment
            for a in (ctx.request.attachments if ctx.request else ()):
                ctx.attachment = a
                out.append(render(node.body, ctx, binary=binary))
            ctx.attachment = saved
        else:
            pairs = (ctx.request.fields if ctx.request else {}) if node.over == "mapped" else ctx.params
            saved_item = ctx.item
            for k, v in pairs.items():
                ctx.item = (k, str(v))
                out.append(render(node.body, ctx, binary=binary))
            ctx.item = saved_item
        return out
    return node


def expand(template: str, ctx: Context, maps: Mapping[str, Mapping[str, str]], where: str, *,
           quote: bool = False) -> str:
    """A path or header template: each {source | conv} replaced by its value (URL-quoted in paths)."""
    from urllib.parse import quote as q

    def one(m: re.Match) -> str:
        src, convs = _split(m.group(1))
        v = convert(ctx.value(src), convs, maps, where)
        v = "" if v is _OMIT else v
        s = v.decode() if isinstance(v, bytes) else str(v)
        if ctx.mask is not None and src.startswith(PERSONAL_PREFIXES):
            s = str(ctx.mask(s))
        return q(s, safe="") if quote else s
    return _BRACE.sub(one, template)


def personal_mask(v: Any) -> Any:
    """How `backend render` shows a personal value: the shape kept, the content not."""
    if isinstance(v, bytes):
        return f"<{len(v)} bytes>".encode()
    if isinstance(v, (int, bool)) or v is None:
        return v
    s = str(v)
    if len(s) >= 15:
        return s[:6] + "*" * (len(s) - 10) + s[-4:]
    if len(s) <= 1:
        return "*"
    return s[0] + "*" * (len(s) - 1)


# ---- reading answers ------------------------------------------------------------------------
_MISSING = object()


def json_pointer(doc: Any, pointer: str) -> Any:
    """RFC 6901. Returns _MISSING when the pointer finds nothing."""
    if pointer == "":
        return doc
    cur = doc
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, dict):
            if token not in cur:
                return _MISSING
            cur = cur[token]
        elif isinstance(cur, list):
            if not re.fullmatch(r"0|[1-9]\d*", token) or int(token) >= len(cur):
                return _MISSING
            cur = cur[int(token)]
        else:
            return _MISSING
    return cur


def xml_path(doc: Any, path: str) -> Any:
    """An element path (a/b/c) in a SOAP answer turned into plain dicts; a repeated element
    on the way takes its first occurrence. _MISSING when nothing is there."""
    if path == "":
        return doc
    cur = doc
    for name in path.split("/"):
        if isinstance(cur, list):
            cur = cur[0] if cur else _MISSING
        if not isinstance(cur, dict) or name not in cur:
            return _MISSING
        cur = cur[name]
    return cur


@dataclasses.dataclass(frozen=True)
class Reading:
    """What an answer says: outcome (delivered | duplicate | retry | dead), reference, message."""
    outcome: str
    reference: str | None = None
    message: str = ""
    file_id: str | None = None


class Reader:
    def __init__(self, profile: Profile, op: Op):
        self.profile, self.op, self.a = profile, op, op.answer
        self.find = json_pointer if profile.protocol == "rest" else xml_path

    def _fix(self, key: str) -> str:
        return f"fix {self.op.kind}.answer.{key} in {self.profile.where(f'{self.op.kind}.answer.{key}')}"

    def get(self, doc: Any, key: str, *, required: bool = True) -> Any:
        path = getattr(self.a, key)
        if path is None:
            return None
        v = self.find(doc, path)
        if v is _MISSING:
            if not required:
                return None
            what = "JSON Pointer" if self.profile.protocol == "rest" else "path"
            raise RenderError(f"the answer has nothing at {what} {path!r} ({key}): {self._fix(key)}")
        return v

    def outcome(self, doc: Any) -> Reading:
        """Delivered / duplicate / retry / dead from a 2xx answer."""
        msg = self.get(doc, "message", required=False)
        msg = "" if msg is None else _text(msg)
        if self.a.code is not None:
            code = self.get(doc, "code")
            code_s = _text(code)
            outcome = self.a.codes.get(code_s)
            if outcome is None:
                return Reading("dead", None, f"business code {code_s} ({msg[:120]}) is not in {self.op.kind}.answer.codes: "
                                             f"ask the agency what it means and add it ({self.profile.where(f'{self.op.kind}.answer.codes')})")
            if outcome in ("retry", "dead"):
                return Reading(outcome, None, f"business code {code_s}: {msg[:160]}")
        else:
            outcome = "delivered"
            if self.a.duplicate is not None:
                dup = self.get(doc, "duplicate", required=False)
                if dup is True or _text(dup).lower() in ("true", "1"):
                    outcome = "duplicate"
        ref = None
        if self.a.reference is not None:
            r = self.get(doc, "reference", required=self.op.kind == "submit" and self.a.code is not None)
            ref = None if r is None else _text(r)
        fid = None
        if self.a.file_id is not None:
            fid = _text(self.get(doc, "file_id"))
        return Reading(outcome, ref, msg, fid)

    def status(self, doc: Any) -> tuple[str, str | None, str | None]:
        """(remote state, reason, reference) from a status answer."""
        if self.a.code is not None:
            code = _text(self.get(doc, "code"))
            if self.a.codes.get(code) not in ("delivered", "duplicate"):
                return "unknown", None, None
        word = self.get(doc, "status", required=False)
        state = self.a.words.get(_text(word), "unknown") if word is not None else "unknown"
        reason = self.get(doc, "reason", required=False)
        ref = self.get(doc, "reference", required=False)
        return state, None if reason in (None, "") else _text(reason), None if ref in (None, "") else _text(ref)

    def query(self, doc: Any) -> dict:
        rec = self.get(doc, "result") if self.a.result is not None else doc
        if self.a.code is not None:
            code = _text(self.get(doc, "code"))
            if self.a.codes.get(code) not in ("delivered", "duplicate"):
                raise OutboxError(f"query refused: business code {code}")
        if self.a.pairs:
            n, v = self.a.pairs
            items = rec if isinstance(rec, list) else ([] if rec is None else [rec])
            return {str(i.get(n)): "" if i.get(v) is None else str(i.get(v)) for i in items if isinstance(i, dict)}
        if not isinstance(rec, dict):
            raise RenderError(f"the query answer is not a record: {self._fix('result')}")
        return {str(k): v for k, v in rec.items()}


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
