"""The REST transport (requests): JSON body, Idempotency-Key = the transaction id, bearer token
or mTLS, CA verification on, connect and read timeouts; attachments PUT by hash first."""
from __future__ import annotations

import json
import threading
from typing import Callable, Mapping

import requests

from offline_queue import limits
from offline_queue.transports.common import (
    Credentials, Endpoint, classify_status, network_retry, new_session, short,
)
from offline_queue.types import (
    REMOTE_STATES, AttachmentRef, Dead, Delivered, OutboxError, Outcome, RemoteStatus, Request, Retry, UnavailableError,
)

_NET_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
               requests.exceptions.ContentDecodingError)


def submit_path(operation: str) -> str:
    return operation if operation.startswith("/") else "/operations/" + operation


def query_path(operation: str) -> str:
    return operation if operation.startswith("/") else "/query/" + operation


class RestTransport:
    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.base = endpoint.url.rstrip("/")
        self._creds = Credentials(endpoint.credentials_file)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = new_session(self.endpoint)
            with self._lock:
                self._sessions.append(s)
        return s

    def _headers(self, extra: Mapping[str, str] = {}) -> dict:
        h = {"Accept": "application/json", **extra}
        token = self._creds.get().get("token")
        if token:
            h["Authorization"] = f"Bearer {token}"
        return h

    def _call(self, method: str, path: str, *, timeout: tuple[float, float], **kw) -> requests.Response:
        ep = self.endpoint
        return self._session().request(method, self.base + path, timeout=timeout, allow_redirects=False,
                                       verify=ep.ca_bundle or True, **kw)

    def send(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes]) -> Outcome:
        timeout = (self.endpoint.connect_timeout, self.endpoint.read_timeout)
        try:
            for ref in request.attachments:
                r = self._call("PUT", f"/attachments/{request.txid}/{ref.sha256}", timeout=timeout,
                               data=read_attachment(ref),
                               headers=self._headers({"Content-Type": ref.content_type, "X-Material": ref.material,
                                                      "Idempotency-Key": f"{request.txid}:{ref.sha256}"}))
                bad = classify_status(r.status_code, r.headers, r.content)
                if bad is not None:
                    return _prefix(bad, f"attachment {ref.material}: ")
            body = {"transaction_id": request.txid, "matter": request.matter, "fields": dict(request.fields),
                    "attachments": [{"material": a.material, "sha256": a.sha256, "size": a.size} for a in request.attachments]}
            r = self._call("POST", submit_path(request.operation), timeout=timeout,
                           data=json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                           headers=self._headers({"Content-Type": "application/json; charset=utf-8",
                                                  "Idempotency-Key": request.txid}))
            bad = classify_status(r.status_code, r.headers, r.content)
            if bad is not None:
                return bad
            try:
                answer = r.json()
                ref = answer.get("reference")
            except (ValueError, AttributeError):
                # accepted, but we cannot read the reference: resend (same key) to get the original answer
                return Retry(f"HTTP {r.status_code} with a malformed body: {short(r.content, 80)}")
            return Delivered(None if ref is None else str(ref), duplicate=bool(answer.get("duplicate")))
        except _NET_ERRORS as e:
            return network_retry(e)
        except requests.RequestException as e:
            return Retry(f"request failed: {type(e).__name__}: {short(str(e), 160)}")

    def status(self, txid: str, status_operation: str | None = None) -> RemoteStatus:
        op = status_operation or "/status"
        path = op.replace("{id}", txid) if "{id}" in op else op.rstrip("/") + "/" + txid
        d = self._get_json("GET", path, None, limits.QUERY_READ_TIMEOUT)
        if d is None:
            return RemoteStatus("unknown")
        st = d.get("status")
        return RemoteStatus(st if st in REMOTE_STATES else "unknown", d.get("reason"), d.get("reference"))

    def query(self, operation: str, params: Mapping[str, str]) -> dict:
        d = self._get_json("POST", query_path(operation), dict(params), limits.QUERY_READ_TIMEOUT)
        if d is None:
            raise OutboxError(f"{self.endpoint.code}: query {operation}: not found")
        return d

    def _get_json(self, method: str, path: str, body: dict | None, read_timeout: float) -> dict | None:
        timeout = (self.endpoint.connect_timeout, min(read_timeout, self.endpoint.read_timeout))
        try:
            kw = {} if body is None else {"data": json.dumps(body, ensure_ascii=False).encode("utf-8")}
            r = self._call(method, path, timeout=timeout,
                           headers=self._headers({"Content-Type": "application/json; charset=utf-8"}), **kw)
        except requests.RequestException as e:
            raise UnavailableError(f"{self.endpoint.code}: unreachable: {type(e).__name__}") from None
        if r.status_code == 404:
            return None
        bad = classify_status(r.status_code, r.headers, r.content)
        if isinstance(bad, Retry):
            raise UnavailableError(f"{self.endpoint.code}: {bad.reason}")
        if isinstance(bad, Dead):
            raise OutboxError(f"{self.endpoint.code}: {bad.reason}")
        try:
            d = r.json()
        except ValueError:
            raise UnavailableError(f"{self.endpoint.code}: malformed answer: {short(r.content, 80)}") from None
        if not isinstance(d, dict):
            raise UnavailableError(f"{self.endpoint.code}: malformed answer")
        return d

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()


def _prefix(o: Outcome, p: str) -> Outcome:
    if isinstance(o, Retry):
        return Retry(p + o.reason, o.retry_after, o.network)
    if isinstance(o, Dead):
        return Dead(p + o.reason)
    return o
