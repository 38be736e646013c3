"""Shared by the tests of other agencies' back ends: a sealed request as the kiosk makes it
(the values a profile reads), PDF bytes, a credentials file."""
from __future__ import annotations

import hashlib
import os
import uuid

from offline_queue.types import AttachmentRef, Request

ITEM_CODE = "1310240000MB1500000000004000111"  # a remote item code (实施编码) the simulated back ends accept
SEX_FEMALE_ID = "11010519491231002X"  # 17th digit even: female
NAME = "张三丰"
PHONE = "13800138000"


def pdf_bytes(tag: str, size: int = 3000) -> bytes:
    return b"%PDF-1.4\n" + tag.encode() + b"\n" + (NAME.encode() + SEX_FEMALE_ID.encode()) * (size // 30)


def backend_request(*, attachments: int = 0, item_code: str = ITEM_CODE, txid: str | None = None,
                    values: dict | None = None, card_type: str = "resident") -> tuple[Request, dict[str, bytes]]:
    """(request, {sha256: bytes}) as kiosk.outbox.build_request + the store would seal it."""
    files, refs = {}, []
    for i in range(attachments):
        data = pdf_bytes(f"material-{i}")
        sha = hashlib.sha256(data).hexdigest()
        files[sha] = data
        refs.append(AttachmentRef(f"mat{i}", sha, len(data)))
    v = {"item_code": item_code, "tracking": "261202ABCDEF12", "submitted_at": "2026-12-02T08:30:00+08:00",
         "kiosk.id": "xh-hall-01", "card.name": NAME, "card.id_number": SEX_FEMALE_ID, "card.card_type": card_type,
         "card.sex": "female", "card.birth_date": "1949-12-31", "form.phone": PHONE, "form.amount": "1200.00",
         "delivery.method": "pickup", **{f"material_name.mat{i}": f"材料{i}" for i in range(attachments)}}
    v.update(values or {})
    return Request(txid=txid or str(uuid.uuid4()), matter="XH-YB-001", operation="/api/v1/matters/XH-YB-001/applications",
                   fields={"applicantName": NAME, "certNo": SEX_FEMALE_ID, "amount": "1200.00"},
                   attachments=tuple(refs), values=v), files


def creds_file(path, **kv) -> str:
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, "".join(f'{k} = "{v}"\n' for k, v in kv.items()).encode())
    os.close(fd)
    return str(path)
