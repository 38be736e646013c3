"""Logging, set up once by the entry points. A filter masks personal data and drops photo and scan
bytes in every record, whoever logs it (our code, a library such as zeep dumping a SOAP envelope
at DEBUG, a driver):
- ID numbers anywhere (110105********002X) and phone numbers anywhere (138****5678);
- the values of keys that hold a name, a phone, an address, an e-mail or a document number,
  wherever a key meets its value: an XML element (`<applicantName>张三</applicantName>`), a
  name/value pair (`<Name>address</Name><Value>…</Value>`), JSON or a repr (`"name": "张三"`,
  `'phone': '…'`), `key=value`, and Chinese labels (`姓名：张三`). Names keep the surname,
  addresses their first three characters."""
from __future__ import annotations

import logging
import logging.handlers
import re
import sys

from kiosk.identity import mask_id_number, mask_name

# 18-character resident numbers (and 15-character old ones), not inside a longer digit run nor
# the fraction of a decimal number (a timestamp's 1764290000.123456789012345).
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(?<!\d\.)([1-9]\d{5})(\d{8}|\d{6})(\d{3}[\dXx]|\d{1})(?![0-9A-Za-z])")
# A bytes repr or a base64 run long enough to be a photo, scan or card dump.
_BYTES_RE = re.compile(r"b'(?:[^'\\]|\\.){64,}'" "|" r'b"(?:[^"\\]|\\.){64,}"')
_B64_RE = re.compile(r"[A-Za-z0-9+/]{200,}={0,2}")
_HEX_RE = re.compile(r"\b(?:[0-9A-Fa-f]{2}[ :]?){96,}\b")


def _mask_match(m: re.Match) -> str:
    s = m.group(0)
    if len(s) not in (15, 18):
        return s
    if len(s) == 15 and not ("01" <= s[8:10] <= "12" and "01" <= s[10:12] <= "31"):
        return s  # an old number holds its owner's birth date (YYMMDD) here: this is some other count
    return mask_id_number(s)


# Mobile numbers (1[3-9] and nine digits, +86 or not) and landlines with an area code.
_PHONE_RE = re.compile(r"(?<![0-9A-Za-z.])(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?![0-9A-Za-z])"
                       r"|(?<![0-9A-Za-z.])(0\d{2,3})-(\d{3,4})(\d{4})(?![0-9A-Za-z])")

# Keys whose value is personal. A key ending in "name" is personal only with one of these prefixes
# (a file, matter or material name is not); pinyin abbreviations are the ones agencies use
# (xm 姓名, sqr 申请人, lxr 联系人, jbr 经办人, lxdh 联系电话, dz 地址, zjhm 证件号码 …).
_NAME_PREFIXES = {"", "applicant", "holder", "contact", "person", "legalperson", "legal", "agent", "recipient",
                  "receiver", "real", "full", "owner", "sender", "family", "given", "sur", "first", "last", "cn",
                  "zh", "chinese", "english", "en", "new", "old", "spouse", "child", "father", "mother", "guardian",
                  "patient", "insured", "cardholder", "customer", "client", "resident", "user", "sqr", "lxr", "jbr",
                  "sjr", "frdb", "dlr"}
_NAME_KEYS = {"xm", "姓名", "名字", "申请人", "联系人", "收件人", "经办人", "代理人", "法定代表人"}
_PHONE_KEYS = {"lxdh", "sjhm", "dh", "sj", "联系电话", "电话", "手机", "手机号", "手机号码", "联系方式"}
_ADDRESS_KEYS = {"dz", "zz", "jzdz", "txdz", "hjdz", "sjdz", "地址", "住址", "家庭住址", "通讯地址", "收件地址",
                 "联系地址", "户籍地址"}
_NUMBER_KEYS = {"zjhm", "sfzh", "sfzhm", "sbkh", "证件号码", "身份证号", "身份证号码"}


def personal_key(key: str) -> str | None:
    """'name', 'phone', 'address', 'number' or None: what the value of a field named `key` holds."""
    k = key.lower().replace("_", "").replace("-", "").replace(".", "")
    if k in _NAME_KEYS or k.endswith("xm") and len(k) <= 5 or k.endswith("name") and k[:-4] in _NAME_PREFIXES:
        return "name"
    if k in _PHONE_KEYS or "phone" in k or "mobile" in k or k in ("tel", "telephone") or k.endswith("tel"):
        return "phone"
    if k in _ADDRESS_KEYS or k.endswith("dz") and len(k) <= 5 or "address" in k or k.endswith("addr") or "email" in k or k in ("mail", "邮箱"):
        return "address"
    if k in _NUMBER_KEYS or any(w in k for w in ("certno", "idno", "idnumber", "idcard", "passport", "ssnumber",
                                                 "cardno", "certnumber")):
        return "number"
    return None


_LATIN_NAME_RE = re.compile(r"[A-Z][A-Za-z'.-]*(?:[ ,]+[A-Za-z][A-Za-z'.-]*){0,5}")


def mask_value(kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        return value
    if kind == "name":
        # A Latin value is a person's name only in a person's name's shape (ZHANG SAN, Zhang San,
        # O'Neil): a check's or a device's name ("printer", "jurisdiction dachang: network") is not.
        return mask_name(value) if not value.isascii() or _LATIN_NAME_RE.fullmatch(value) else value
    if kind == "address":
        return value[:3] + "****"
    if kind == "phone" and len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if len(value) >= 15:
        return mask_id_number(value)
    return value[:2] + "*" * max(1, len(value) - 4) + value[-2:] if len(value) > 4 else "*" * len(value)


_KEY = r"[A-Za-z_\u4e00-\u9fff][\w.-]{0,40}"
# <ns:key attr="…">value</ns:key>
# (not the key of a name/value pair: `<Name>phone</Name><Value>`)
_XML_RE = re.compile(r"<((?:[\w.-]+:)?(" + _KEY + r"))(\s[^<>]*)?>([^<>]{1,2000})</\1>(?!\s*<(?:[\w.-]+:)?[Vv]alue>)")
# <Name>key</Name><Value>value</Value> (field lists: the kiosk's own contract and many agencies')
_PAIR_RE = re.compile(r"(<((?:[\w.-]+:)?)(?:Name|name|Key|key|Code|code)>\s*(" + _KEY + r")\s*</\2(?:Name|name|Key|key|Code|code)>"
                      r"\s*<((?:[\w.-]+:)?)(?:Value|value)>)([^<>]{1,2000})(</\4(?:Value|value)>)")
# "key": "value" / 'key': 'value' / key=value / 姓名：value
_JSON_RE = re.compile(r"""(["'])(""" + _KEY + r""")\1(\s*[:=]\s*)(["'])((?:(?!\4)[^\\]|\\.){1,2000})\4""")
_KV_RE = re.compile(r"(?<![\w.-])(" + _KEY + r")(=|：|:\s?)([^\s,;&<>\"'}\])]{1,200})")


def _mask_personal(text: str) -> str:
    def pair(m: re.Match) -> str:
        kind = personal_key(m.group(3))
        return m.group(1) + mask_value(kind, m.group(5)) + m.group(6) if kind else m.group(0)

    def xml(m: re.Match) -> str:
        kind = personal_key(m.group(2))
        if not kind:
            return m.group(0)
        return f"<{m.group(1)}{m.group(3) or ''}>{mask_value(kind, m.group(4))}</{m.group(1)}>"

    def js(m: re.Match) -> str:
        kind = personal_key(m.group(2))
        if not kind:
            return m.group(0)
        q, v = m.group(4), m.group(5)
        return f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{q}{mask_value(kind, v)}{q}"

    def kv(m: re.Match) -> str:
        kind = personal_key(m.group(1))
        return f"{m.group(1)}{m.group(2)}{mask_value(kind, m.group(3))}" if kind else m.group(0)

    text = _PAIR_RE.sub(pair, text)
    text = _XML_RE.sub(xml, text)
    text = _JSON_RE.sub(js, text)
    text = _KV_RE.sub(kv, text)
    return _PHONE_RE.sub(_mask_phone, text)


def _mask_phone(m: re.Match) -> str:
    if m.group(1):
        return m.group(0)[: m.start(2) - m.start(0)] + "****" + m.group(3)
    return f"{m.group(4)}-{'*' * len(m.group(5))}{m.group(6)}"


def scrub(text: str) -> str:
    """The text with personal data masked (see the module's docstring) and binary blobs replaced
    by their length."""
    text = _BYTES_RE.sub(lambda m: f"<{len(m.group(0))} chars of bytes dropped>", text)
    text = _B64_RE.sub(lambda m: f"<{len(m.group(0))} chars of base64 dropped>", text)
    text = _HEX_RE.sub(lambda m: f"<{len(m.group(0))} chars of hex dropped>", text)
    text = _ID_RE.sub(_mask_match, text)
    return _mask_personal(text)


class PersonalDataFilter(logging.Filter):
    """Rewrites each record's message (args merged) and exception text through `scrub`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:
            msg = str(record.msg)
        record.msg, record.args = scrub(msg), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _install_record_factory() -> None:
    """Scrub every record as it is made, before any handler sees it: a handler that a library or a
    test harness adds (logging.basicConfig, a debugging aid) gets only masked text too."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_kiosk", False):
        return
    scrubber = PersonalDataFilter()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrubber.filter(record)
        return record

    factory._kiosk = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def setup_logging(*, console: bool = True, level: str | int = "INFO", logfile: str | None = None) -> None:
    """Install handlers on the root logger; every record is scrubbed when it is made (see
    `_install_record_factory`). Idempotent."""
    _install_record_factory()
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
    handlers: list[logging.Handler] = []
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if logfile:
        handlers.append(logging.handlers.RotatingFileHandler(logfile, maxBytes=5_000_000, backupCount=5, encoding="utf-8"))
    for h in handlers:
        h._kiosk = True  # type: ignore[attr-defined]
        h.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(h)
    root.setLevel(level if isinstance(level, int) else level.upper())
