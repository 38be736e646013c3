"""The simulated REST jurisdiction: POST an application (Idempotency-Key = transaction id), PUT
attachments by hash, GET status, POST queries. JSON everywhere."""
from __future__ import annotations

import json
import re
from typing import Mapping

from offline_queue.sim.http import Reply
from offline_queue.sim.state import JurisdictionState

_ATTACH = re.compile(r"^/attachments/([0-9a-fA-F\-]{8,64})/([0-9a-f]{64})$")


def _json(status: int, d: dict, headers: dict | None = None) -> Reply:
    return Reply(status, json.dumps(d, ensure_ascii=False).encode("utf-8"),
                 {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


class RestApp:
    def __init__(self, state: JurisdictionState):
        self.state = state

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        st = self.state
        path = path.split("?", 1)[0]
        if st.token and headers.get("Authorization") != f"Bearer {st.token}":
            return _json(401, {"error": "unauthorized"})
        if method == "PUT" and (m := _ATTACH.match(path)):
            code, d = st.upload(m.group(1), m.group(2), body)
            return _json(code, d)
        if method == "GET":  # .../status/<txid> or .../<txid>/status
            segs = [p for p in path.split("/") if p and p != "status"]
            txid = segs[-1] if segs else ""
            d = st.status(txid)
            return _json(404, {"error": "unknown transaction"}) if d is None else _json(200, d)
        if method != "POST":
            return _json(405, {"error": "method not allowed"})
        try:
            doc = json.loads(body.decode("utf-8"))
            if not isinstance(doc, dict):
                raise ValueError
        except ValueError:
            return _json(400, {"error": "body is not a JSON object"})
        if path.startswith("/query") or path.rstrip("/").endswith("/query"):
            d = st.query(path.rstrip("/"), doc)
            return _json(404, {"error": "unknown query"}) if d is None else _json(200, d)
        txid = doc.get("transaction_id")
        if not txid or headers.get("Idempotency-Key") != txid:
            return _json(400, {"error": "Idempotency-Key must be the transaction_id"})
        with st.lock:
            if txid in st.in_progress:
                return _json(409, {"error": "in progress"})
            st.in_progress.add(txid)
        try:
            code, d = st.submit(txid, str(doc.get("matter", "")), path, dict(doc.get("fields") or {}),
                                list(doc.get("attachments") or []))
        finally:
            with st.lock:
                st.in_progress.discard(txid)
        return _json(code, d)

    def fault_reply(self, kind: str) -> Reply:
        if kind.isdigit():
            return _json(int(kind), {"error": f"injected {kind}"})
        return _json(500, {"error": f"injected {kind}"})

    def malformed(self, reply: Reply) -> Reply:
        return Reply(200, b'{"reference": "R-0', {"Content-Type": "application/json"})

    def hostile(self, reply: Reply) -> Reply:
        return Reply(200, b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
                     {"Content-Type": "application/json"})
