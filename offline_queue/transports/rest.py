"""The REST transport (requests), spoken as the jurisdiction's interface profile says: method
and path template, headers, where the transaction id travels (Idempotency-Key or another header,
or a body member), a JSON body from the profile's template, attachments inline (base64 in the
body), as multipart/form-data beside the JSON part, or uploaded first (the answer's file id goes
into the body); bearer token or an API key header, mTLS, the jurisdiction's own CA; connect and
read timeouts on every call. Answers are read by JSON Pointer; business result codes inside a
2xx answer and the remote's status words map as the profile says."""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Mapping

import requests

from offline_queue import limits
from offline_queue.profile import Context, Op, Profile, Reader, RenderError, cached_profile, expand, render
from offline_queue.transports.common import (
    Credentials, Endpoint, classify_status, config_problem, network_retry, new_session, outcome_of as _outcome,
    profile_path, short,
)
from offline_queue.types import (
    AttachmentRef, Dead, OutboxError, Outcome, RemoteStatus, Request, Retry, UnavailableError,
)

_NET_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
               requests.exceptions.ContentDecodingError)


def submit_path(operation: str) -> str:
    return operation if operation.startswith("/") else "/operations/" + operation


def query_path(operation: str) -> str:
    return operation if operation.startswith("/") else "/query/" + operation


def status_path(status_operation: str, txid: str) -> str:
    return status_operation.replace("{id}", txid) if "{id}" in status_operation else status_operation.rstrip("/") + "/" + txid


class RestTransport:
    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.base = endpoint.url.rstrip("/")
        self.profile_file = profile_path(endpoint)
        self._creds = Credentials(endpoint.credentials_file)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def profile(self) -> Profile:
        return cached_profile(self.profile_file)

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = new_session(self.endpoint)
            with self._lock:
                self._sessions.append(s)
        return s

    # ---- building a request (no I/O besides reading the credentials file) -------------------
    def _auth(self, p: Profile) -> dict:
        creds = self._creds.get()
        if p.auth == "bearer":
            token = creds.get("token")
            if token:
                return {"Authorization": f"Bearer {token}"}
            if self.endpoint.credentials_file:
                raise RenderError(f"{self.endpoint.credentials_file}: no token, which the profile's auth = \"bearer\" "
                                  f"needs: add token = \"...\"")
        elif p.auth == "api_key":
            key = creds.get("api_key")
            if key:
                return {p.api_key_header: str(key)}
            if self.endpoint.credentials_file:  # none configured: the remote says 401 if it needs one
                raise RenderError(f"{self.endpoint.credentials_file}: no api_key, which the profile's "
                                  f"auth = \"api_key\" needs: add api_key = \"...\"")
        return {}

    def _path(self, op: Op, ctx: Context, request: Request | None, status_operation: str | None = None) -> str:
        if op.catalog_operation:
            if op.kind == "submit" and request is not None and request.operation:
                return submit_path(request.operation)
            if op.kind == "status" and status_operation:
                return status_path(status_operation, ctx.txid)
            if op.kind == "query" and ctx.operation:
                return query_path(ctx.operation)
        return expand(op.path, ctx, ctx.maps, f"{op.kind}.path", quote=True)

    def build(self, p: Profile, op: Op, ctx: Context, *, request: Request | None = None,
              status_operation: str | None = None, files: list | None = None) -> requests.PreparedRequest:
        """The exact HTTP request for one call of `op` (a PreparedRequest: method, url, headers, body)."""
        headers = {"Accept": "application/json", **self._auth(p)}
        for h, tmpl in op.headers:
            headers[h] = expand(tmpl, ctx, p.maps, f"{op.kind}.headers.{h}")
        if op.id_header:
            txid = ctx.request.txid if ctx.request is not None else ctx.txid
            headers[op.id_header] = f"{txid}:{ctx.attachment.sha256}" if op.kind == "upload" and ctx.attachment else txid
        url = self.base + self._path(op, ctx, request, status_operation)
        kw: dict[str, Any] = {}
        body = None if op.body is None else render(op.body, ctx, binary=False)
        data = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
        if op.kind == "upload" and op.file == "raw":
            content = ctx.value("attachment.content")
            kw["data"] = ctx.mask(content) if ctx.mask else content
            headers.setdefault("Content-Type", ctx.attachment.content_type)
        elif files:
            parts = [] if data is None else [(op.json_part, (None, data, "application/json; charset=utf-8"))]
            kw["files"] = parts + files
        elif data is not None and op.method != "GET":
            kw["data"] = data
            headers["Content-Type"] = "application/json; charset=utf-8"
        # prepared by the session: its default headers (User-Agent, Accept-Encoding, Connection) are
        # part of what goes on the wire, and of what `backend render` shows
        return self._session().prepare_request(requests.Request(op.method, url, headers=headers, **kw))

    def _file_parts(self, op: Op, ctx: Context, attachments) -> list:
        out = []
        for ref in attachments:
            ctx.attachment = ref
            content = ctx.value("attachment.content")
            if ctx.mask:
                content = ctx.mask(content)
            out.append((op.file_part, (ctx.value("attachment.filename"), content, ref.content_type)))
            ctx.attachment = None
        return out

    def render_submit(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes], mask=None,
                      file_id: Callable[[AttachmentRef], str] | None = None) -> list[requests.PreparedRequest]:
        """The HTTP requests a send makes, in order (uploads first). For `backend render`: the file
        ids an upload would return are shown as <file id of MATERIAL>."""
        p = self.profile()
        ctx = Context(request=request, read_attachment=read_attachment, maps=p.maps, mask=mask)
        sub = p.op("submit")
        out = []
        if request.attachments and sub.attachments == "upload":
            up = p.op("upload")
            for ref in request.attachments:
                ctx.attachment = ref
                files = self._file_parts(up, ctx, [ref]) if up.file == "multipart" else None
                ctx.attachment = ref
                out.append(self.build(p, up, ctx, request=request, files=files))
                ctx.file_ids[ref.sha256] = file_id(ref) if file_id else f"<file id of {ref.material}>"
            ctx.attachment = None
        files = self._file_parts(sub, ctx, request.attachments) if sub.attachments == "multipart" else None
        out.append(self.build(p, sub, ctx, request=request, files=files))
        return out

    # ---- sending ----------------------------------------------------------------------------
    def _send(self, prepared: requests.PreparedRequest, timeout: tuple[float, float]) -> requests.Response:
        ep = self.endpoint
        return self._session().send(prepared, timeout=timeout, allow_redirects=False, verify=ep.ca_bundle or True,
                                    cert=(ep.client_cert, ep.client_key) if ep.client_cert else None)

    def send(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes]) -> Outcome:
        timeout = (self.endpoint.connect_timeout, self.endpoint.read_timeout)
        try:
            why = config_problem(self.endpoint)
            if why:
                return Dead(why)
            p = self.profile()
            sub = p.op("submit")
            if request.attachments and sub.attachments == "none":
                return Dead(f"{len(request.attachments)} attachments, but the profile {p.path} sends none "
                            f"(submit.attachments = \"none\")")
            ctx = Context(request=request, read_attachment=read_attachment, maps=p.maps)
            if request.attachments and sub.attachments == "upload":
                up = p.op("upload")
                reader = Reader(p, up)
                for ref in request.attachments:
                    ctx.attachment = ref
                    files = self._file_parts(up, ctx, [ref]) if up.file == "multipart" else None
                    ctx.attachment = ref
                    r = self._send(self.build(p, up, ctx, request=request, files=files), timeout)
                    ctx.attachment = None
                    bad = classify_status(r.status_code, r.headers, r.content)
                    if bad is not None:
                        return _prefix(bad, f"attachment {ref.material}: ")
                    if up.answer.code or up.answer.file_id:
                        doc = _json(r)
                        if doc is None:
                            return Retry(f"attachment {ref.material}: HTTP {r.status_code} with a malformed body: "
                                         f"{short(r.content, 80)}")
                        reading = reader.outcome(doc)
                        if reading.outcome in ("retry", "dead"):
                            return _outcome(reading, f"attachment {ref.material}: ")
                        if reading.file_id:
                            ctx.file_ids[ref.sha256] = reading.file_id
            files = self._file_parts(sub, ctx, request.attachments) if sub.attachments == "multipart" else None
            r = self._send(self.build(p, sub, ctx, request=request, files=files), timeout)
            bad = classify_status(r.status_code, r.headers, r.content)
            if bad is not None:
                return bad
            doc = _json(r)
            if doc is None:
                # accepted, but we cannot read it: resend (same id) to get the original answer
                return Retry(f"HTTP {r.status_code} with a malformed body: {short(r.content, 80)}")
            return _outcome(Reader(p, sub).outcome(doc))
        except RenderError as e:
            return Dead(str(e))
        except OutboxError as e:  # the profile does not load, the credentials file is unreadable
            return Dead(f"{e}: fix it, then `kiosk-admin queue retry`")
        except _NET_ERRORS as e:
            return network_retry(e)
        except requests.RequestException as e:
            return Retry(f"request failed: {type(e).__name__}: {short(str(e), 160)}")

    # ---- asking -----------------------------------------------------------------------------
    def _ask(self, kind: str, ctx_kw: dict, status_operation: str | None = None) -> tuple[Reader, Any]:
        ep = self.endpoint
        timeout = (ep.connect_timeout, min(limits.QUERY_READ_TIMEOUT, ep.read_timeout))
        try:
            why = config_problem(ep)
            if why:
                raise OutboxError(why)
            p = self.profile()
            op = p.op(kind)
            ctx = Context(maps=p.maps, **ctx_kw)
            prepared = self.build(p, op, ctx, status_operation=status_operation)
        except RenderError as e:
            raise OutboxError(f"{ep.code}: {e}") from None
        try:
            r = self._send(prepared, timeout)
        except requests.RequestException as e:
            raise UnavailableError(f"{ep.code}: unreachable: {type(e).__name__}") from None
        if r.status_code == 404:
            return Reader(p, op), None
        bad = classify_status(r.status_code, r.headers, r.content)
        if isinstance(bad, Retry):
            raise UnavailableError(f"{ep.code}: {bad.reason}")
        if isinstance(bad, Dead):
            raise OutboxError(f"{ep.code}: {bad.reason}")
        d = _json(r)
        if d is None:
            raise UnavailableError(f"{ep.code}: malformed answer: {short(r.content, 80)}")
        return Reader(p, op), d

    def status(self, txid: str, status_operation: str | None = None, reference: str | None = None) -> RemoteStatus:
        reader, d = self._ask("status", {"txid": txid, "reference": reference or ""}, status_operation)
        if d is None:
            return RemoteStatus("unknown")
        try:
            st, reason, ref = reader.status(d)
        except RenderError as e:
            raise OutboxError(f"{self.endpoint.code}: {e}") from None
        return RemoteStatus(st, reason, ref)

    def query(self, operation: str, params: Mapping[str, str]) -> dict:
        reader, d = self._ask("query", {"operation": operation, "params": {k: str(v) for k, v in params.items()}})
        if d is None:
            raise OutboxError(f"{self.endpoint.code}: query {operation}: not found")
        try:
            return reader.query(d)
        except RenderError as e:
            raise OutboxError(f"{self.endpoint.code}: {e}") from None

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()


def _json(r: requests.Response) -> Any:
    try:
        d = r.json()
    except ValueError:
        return None
    return d if isinstance(d, (dict, list)) else None


def _prefix(o: Outcome, p: str) -> Outcome:
    if isinstance(o, Retry):
        return Retry(p + o.reason, o.retry_after, o.network)
    if isinstance(o, Dead):
        return Dead(p + o.reason)
    return o
