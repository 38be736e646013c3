"""`kiosk-admin submit`'s input: the identity file, --field K=V, --attach MATERIAL=FILE and
--delivery, read with limits and checked by kiosk.intake, the same checks the kiosk's screens make.
Anything wrong is a UsageError (exit 2) whose one line names every part that is missing or wrong;
nothing is queued."""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import stat

from kiosk import inputs, intake
from kiosk.catalog import Matter
from kiosk.errors import ConfigError, UsageError
from kiosk.identity import Identity
from kiosk.transaction import Attachment, Transaction


def read_identity(path: str) -> Identity:
    """The resident from a `read-id --json` file: at most 64 KiB, UTF-8 JSON, strict types."""
    try:
        text = inputs.read_text_bounded(path, inputs.IDENTITY_MAX, "an identity file")
    except ConfigError as e:
        raise UsageError(f"--identity {e}") from None
    try:
        d = json.loads(text)
    except RecursionError:
        raise UsageError(f"--identity {path}: not an identity: JSON nested too deeply") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"--identity {path}: not JSON: {e}") from None
    except ValueError:  # an integer of thousands of digits
        raise UsageError(f"--identity {path}: not an identity: a number of thousands of digits") from None
    try:
        return Identity.from_json(d)
    except (ValueError, TypeError) as e:
        raise UsageError(f"--identity {path}: not an identity: {e}") from None


def _text(option: str, value: str) -> str:
    """A command-line value must be text: bytes that are not UTF-8 reach Python as lone
    surrogates, which could never be sealed or sent."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{option}: not UTF-8 text ({value.encode('utf-8', 'backslashreplace')[:60].decode()})") from None
    return value


def parse_fields(items: list[str]) -> dict[str, str]:
    form: dict[str, str] = {}
    for kv in items:
        _text("--field", kv)
        k, sep, v = kv.partition("=")
        if not sep or not k:
            raise UsageError(f"--field {kv[:60]!r}: use KEY=VALUE")
        if k in form:
            raise UsageError(f"--field {k}: given twice")
        form[k] = v
    return form


def read_attachment(material: str, path: str) -> Attachment:
    """One material's PDF: a regular file that starts as a PDF, within the outbox's size limit."""
    from offline_queue.limits import MAX_ATTACHMENT_BYTES

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise UsageError(f"--attach {material}: {path}: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"--attach {material}: {path}: not a regular file")
        if st.st_size > MAX_ATTACHMENT_BYTES:
            raise UsageError(f"--attach {material}: {path}: {st.st_size} bytes, more than a material may be "
                             f"({MAX_ATTACHMENT_BYTES})")
        h, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(fd, "rb", closefd=False) as f:
            while chunk := f.read(1024 * 1024):
                if not head:
                    head = chunk[:5]
                h.update(chunk)
                size += len(chunk)
                if size > MAX_ATTACHMENT_BYTES:
                    raise UsageError(f"--attach {material}: {path}: more than {MAX_ATTACHMENT_BYTES} bytes")
    except OSError as e:
        raise UsageError(f"--attach {material}: {path}: {e.strerror}") from None
    finally:
        os.close(fd)
    if head != b"%PDF-":
        raise UsageError(f"--attach {material}: {path}: not a PDF (the kiosk sends each material as one PDF)")
    return Attachment(material=material, path=path, pages=1, sha256=h.hexdigest(), size=size)


def build_application(matter: Matter, *, identity_path: str, fields: list[str], attach: list[str],
                      delivery_method: str, kiosk_id: str, today: _dt.date | None = None) -> Transaction:
    """The transaction the kiosk would have sealed for this input, or UsageError naming every
    part the kiosk would have refused."""
    identity = read_identity(identity_path)
    typed = parse_fields(fields)
    pairs = []
    for kv in attach:
        _text("--attach", kv)
        m, sep, path = kv.partition("=")
        if not sep or not m or not path:
            raise UsageError(f"--attach {kv[:60]!r}: use MATERIAL=FILE")
        pairs.append((m, path))
    delivery = intake.default_delivery(matter, identity, typed, delivery_method)
    form, refusals = intake.check_application(matter, identity, typed, [m for m, _ in pairs], delivery,
                                              today or _dt.date.today())
    if refusals:
        raise UsageError(f"submit: the kiosk would refuse this {matter.code}: " + "; ".join(map(str, refusals)))
    atts = tuple(read_attachment(m, path) for m, path in pairs)
    return Transaction(id=Transaction.new_id(), matter_code=matter.code, jurisdiction=matter.jurisdiction,
                       identity=identity, form=form, attachments=atts, delivery=delivery, kiosk_id=kiosk_id)
