"""A simulated 政务服务"好差评" endpoint (the evaluation platform a hall reports to): JSON over
HTTP, the evaluation's id in X-Request-Id, business codes inside HTTP 200 (0 ok, 409 already
received, 400 refused). It keeps what it received, deduplicated by id, so tests and the demo can
look: `evaluations()` gives level, reasons, comment, tracking number and matter per evaluation.

Profile: backends/haochaping.toml."""
from __future__ import annotations

import json
import os
import re
from typing import Mapping

from offline_queue.sim.http import Reply
from offline_queue.sim.state import JurisdictionState

PROFILE_FILE = os.path.join(os.path.dirname(__file__), "backends", "haochaping.toml")
LEVELS = (1, 2, 3, 4, 5)  # GB/T 39734-2020: 1 非常不满意 … 5 非常满意
_ONE = re.compile(r"^/api/hcp/v1/evaluations/([0-9A-Za-z\-]{8,64})$")
# what an evaluation may carry: nothing that names the resident
FIELDS = ("projectNo", "itemCode", "channel", "deviceId", "level", "reasons", "comment", "evaluateTime")


def _answer(code: int, msg: str, data: dict | None = None, status: int = 200) -> Reply:
    body = {"code": code, "msg": msg, **({"data": data} if data is not None else {})}
    return Reply(status, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                 {"Content-Type": "application/json; charset=utf-8"})


class HaochapingApp:
    def __init__(self, state: JurisdictionState):
        self.state = state

    def evaluations(self) -> list[dict]:
        """What was received, in order: one dict per evaluation (its fields as sent)."""
        with self.state.lock:
            return [dict(r.fields, id=r.txid) for r in self.state.received.values()]

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        path = path.split("?", 1)[0]
        if method == "GET" and (m := _ONE.match(path)):
            d = self.state.status(m.group(1))
            if d is None:
                return _answer(404, "无此评价")
            return _answer(0, "成功", {"status": "已接收", "evaluationNo": d["reference"]})
        if method != "POST" or path != "/api/hcp/v1/evaluations":
            return _answer(404, "no such API", status=404)
        rid = headers.get("X-Request-Id")
        if not rid:
            return _answer(400, "X-Request-Id required", status=400)
        try:
            doc = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "body is not JSON", status=400)
        if not isinstance(doc, dict):
            return _answer(400, "an object expected")
        if doc.get("level") not in LEVELS:
            return _answer(400, f"level must be one of {LEVELS}, not {doc.get('level')!r}")
        unknown = sorted(set(doc) - set(FIELDS) - {"evaluationId"})
        if unknown:
            return _answer(400, f"unknown fields: {', '.join(unknown)}")
        code = self.state.next_business_fault()
        if code:
            return _answer(int(code), "系统繁忙，请稍后再试" if code == "503" else "注入的业务错误")
        fields = {k: doc[k] if isinstance(doc[k], str) else json.dumps(doc[k], ensure_ascii=False)
                  for k in FIELDS if k in doc and k != "evaluateTime"}
        http, d = self.state.submit(rid, str(doc.get("itemCode", "")), "/api/hcp/v1/evaluations", fields, [])
        if http == 422:
            return _answer(400, "评价编号重复但内容不同")
        if d.get("duplicate"):
            return _answer(409, "重复评价", {"evaluationNo": d["reference"]})
        return _answer(0, "成功", {"evaluationNo": d["reference"]})

    def fault_reply(self, kind: str) -> Reply:
        if kind.isdigit():
            return _answer(int(kind), f"injected {kind}", status=int(kind))
        return _answer(500, f"injected {kind}", status=500)

    def malformed(self, reply: Reply) -> Reply:
        return Reply(200, b'{"code": 0, "data": {"evaluationNo": "E-0', {"Content-Type": "application/json"})

    def hostile(self, reply: Reply) -> Reply:
        return Reply(200, b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
                     {"Content-Type": "application/json"})
