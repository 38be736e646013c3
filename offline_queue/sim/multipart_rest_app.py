"""A simulated provincial 政务服务 open API with its own REST contract, unlike the kiosk's
(described in backends/multipart-rest.openapi.json): an API key header, the transaction id in
X-Request-Id, the application as multipart/form-data (a JSON part `data` beside one `files` part
per material) — or as JSON with the files inline in base64, or by file ids from a separate
upload — business result codes inside HTTP 200 (0 ok, 10409 already submitted, 10404 unknown
item code, 10503 busy) and Chinese status words (已受理, 预审通过, 需补正, 办结, 不予受理).

Profile: backends/multipart-rest.toml."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from typing import Mapping

from offline_queue.sim.http import Reply
from offline_queue.sim.state import JurisdictionState

HERE = os.path.join(os.path.dirname(__file__), "backends")
API_FILE = os.path.join(HERE, "multipart-rest.openapi.json")
PROFILE_FILE = os.path.join(HERE, "multipart-rest.toml")
ITEM_CODE = re.compile(r"[0-9A-Z]{20,40}")  # the shape of a 事项编码 / 实施编码: anything else is unknown here
WORDS = {"received": "已受理", "prereview_passed": "预审通过", "needs_correction": "需补正", "completed": "办结",
         "rejected": "不予受理"}
_PROGRESS = re.compile(r"^/api/v2/applications/([0-9A-Za-z\-]{8,64})/progress$")


def _answer(code: int, msg: str, data: dict | None = None, status: int = 200) -> Reply:
    body = {"code": code, "msg": msg, **({"data": data} if data is not None else {})}
    return Reply(status, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                 {"Content-Type": "application/json; charset=utf-8"})


_DISPOSITION = re.compile(r'(\w+)="([^"]*)"')


def parse_multipart(content_type: str, body: bytes) -> list[tuple[str, str | None, str, bytes]]:
    """(field name, file name, content type, bytes) per part of a multipart/form-data body (RFC 7578)."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or not m:
        raise ValueError("not multipart")
    delim = b"--" + m.group(1).encode("latin-1")
    out = []
    for chunk in body.split(delim)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a part without headers")
        headers = {}
        for line in head.decode("utf-8", "replace").strip().split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        params = dict(_DISPOSITION.findall(headers.get("content-disposition", "")))
        out.append((params.get("name", ""), params.get("filename"),
                    headers.get("content-type", "text/plain").split(";")[0], content[:-2] if content.endswith(b"\r\n") else content))
    return out


class MultipartRestApp:
    def __init__(self, state: JurisdictionState):
        self.state = state
        self.files: dict[str, tuple[str, str]] = {}  # file id → (request id, sha256)
        self.requests_seen: list[dict] = []  # method, path and headers (no bodies) for the tests

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        st = self.state
        path = path.split("?", 1)[0]
        self.requests_seen.append({"method": method, "path": path, "headers": dict(headers)})
        if st.api_key and headers.get("X-Api-Key") != st.api_key:
            return _answer(401, "无效的 appKey", status=401)
        if method == "GET" and (m := _PROGRESS.match(path)):
            d = st.status(m.group(1))
            if d is None:
                return _answer(10404, "无此申请")
            return _answer(0, "成功", {"statusName": WORDS.get(d["status"], d["status"]), "remark": d["reason"],
                                       "receiveNo": d["reference"]})
        if method == "POST" and path == "/api/v2/files":
            return self._upload(headers, body)
        if method == "POST" and path == "/api/v2/applications":
            return self._apply(headers, body)
        if method == "POST" and path.rstrip("/").endswith("/query"):
            try:
                params = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return _answer(400, "body is not JSON", status=400)
            d = self.state.query(path.rstrip("/"), params if isinstance(params, dict) else {})
            return _answer(10404, "无此查询") if d is None else _answer(0, "成功", d)
        return _answer(404, "no such API", status=404)

    def _upload(self, headers, body: bytes) -> Reply:
        rid = headers.get("X-Request-Id") or ""
        try:
            parts = parse_multipart(headers.get("Content-Type", ""), body)
        except ValueError:
            return _answer(400, "multipart/form-data expected", status=400)
        files = [p for p in parts if p[1]]
        if len(files) != 1:
            return _answer(10400, "one file part expected")
        data = files[0][3]
        sha = hashlib.sha256(data).hexdigest()
        self.state.upload(rid.split(":")[0], sha, data)
        fid = "F" + sha[:16]
        self.files[fid] = (rid.split(":")[0], sha)
        return _answer(0, "成功", {"fileId": fid})

    def _apply(self, headers, body: bytes) -> Reply:
        st = self.state
        rid = headers.get("X-Request-Id")
        if not rid:
            return _answer(400, "X-Request-Id required", status=400)
        ctype = headers.get("Content-Type", "")
        files: list[tuple[str, bytes]] = []
        try:
            if ctype.startswith("multipart/form-data"):
                parts = parse_multipart(ctype, body)
                data_parts = [p for p in parts if p[0] == "data" and not p[1]]
                if len(data_parts) != 1:
                    return _answer(10400, "a 'data' part (JSON) expected")
                doc = json.loads(data_parts[0][3].decode("utf-8"))
                files = [(p[1] or "", p[3]) for p in parts if p[0] == "files" and p[1]]
            else:
                doc = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return _answer(400, "body is not JSON", status=400)
        if not isinstance(doc, dict):
            return _answer(10400, "data must be an object")
        item = doc.get("itemCode")
        if not isinstance(item, str) or not ITEM_CODE.fullmatch(item):
            return _answer(10404, f"事项编码不存在: {item}")
        code = st.next_business_fault()
        if code:
            return _answer(int(code), "系统繁忙，请稍后再试" if code == "10503" else "注入的业务错误")
        atts = []
        for i, meta in enumerate(doc.get("materials") or []):
            if "content" in meta:  # inline base64
                try:
                    data = base64.b64decode(meta["content"], validate=True)
                except (binascii.Error, TypeError):
                    return _answer(10400, f"materials[{i}].content is not base64")
            elif "fileId" in meta:
                if meta["fileId"] not in self.files:
                    return _answer(10400, f"unknown fileId {meta['fileId']}")
                sha = self.files[meta["fileId"]][1]
                data = st.attachments.get((self.files[meta["fileId"]][0], sha), b"")
            else:
                if i >= len(files):
                    return _answer(10400, f"materials[{i}] has no file part")
                data = files[i][1]
            sha = hashlib.sha256(data).hexdigest()
            st.upload(rid, sha, data)
            atts.append({"material": str(meta.get("materialCode")), "sha256": sha, "size": len(data)})
        if doc.get("fileCount") is not None and doc["fileCount"] != len(atts):
            return _answer(10400, f"fileCount {doc['fileCount']} but {len(atts)} materials")
        # what it received, as the kiosk's own sim records it: the form (formData) by its keys, the
        # applicant as applicant.<key>, the other top-level values as text (requestTime changes
        # on every attempt: not part of the content)
        fields: dict[str, str] = {}
        try:
            form = json.loads(doc.get("formData") or "{}")
        except (ValueError, TypeError):
            form = {}
        if isinstance(form, dict):
            fields.update({str(k): str(v) for k, v in form.items()})
        if isinstance(doc.get("applicant"), dict):
            fields.update({f"applicant.{k}": str(v) for k, v in doc["applicant"].items()})
        fields.update({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
                       for k, v in doc.items() if k not in ("materials", "requestTime", "formData", "applicant")})
        http, d = st.submit(rid, item, "/api/v2/applications", fields, atts)
        if http == 422:
            return _answer(10422, "请求编号重复但内容不同")
        if http >= 400:
            return _answer(10400, d.get("error", "refused"))
        if d.get("duplicate"):
            return _answer(10409, "重复提交", {"receiveNo": d["reference"]})
        return _answer(0, "成功", {"receiveNo": d["reference"]})

    def fault_reply(self, kind: str) -> Reply:
        if kind.isdigit():
            return _answer(int(kind), f"injected {kind}", status=int(kind))
        return _answer(500, f"injected {kind}", status=500)

    def malformed(self, reply: Reply) -> Reply:
        return Reply(200, b'{"code": 0, "data": {"receiveNo": "R-0', {"Content-Type": "application/json"})

    def hostile(self, reply: Reply) -> Reply:
        return Reply(200, b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
                     {"Content-Type": "application/json"})
