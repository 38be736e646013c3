"""The SOAP transport (zeep): WSDL from a local file, WS-Security UsernameToken, mTLS through a
requests session, operation timeouts, a hardened XML parser, the transaction id on every attempt."""
from __future__ import annotations

import threading
from typing import Callable, Mapping

import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.wsse.username import UsernameToken

from offline_queue import limits
from offline_queue.transports.common import (
    Credentials, Endpoint, classify_status, network_retry, new_session, short,
)
from offline_queue.types import (
    REMOTE_STATES, AttachmentRef, Dead, Delivered, OutboxError, Outcome, RemoteStatus, Request, Retry, UnavailableError,
)

HARDENED = dict(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False)
BINDING = "{urn:quyu-tongban:jurisdiction:1}Jurisdiction"
UPLOAD_OPERATION = "UploadAttachment"
STATUS_OPERATION = "QueryStatus"
QUERY_OPERATION = "Query"
_HOSTILE = (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden, zeep.exceptions.ExternalReferenceForbidden)
_NET = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _Transport(zeep.Transport):
    """zeep's transport, keeping the last HTTP answer's headers (per thread) so a 429/503 can
    honour Retry-After; zeep's TransportError carries only status and body."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.last = threading.local()

    def post(self, address, message, headers):
        self.last.headers = {}
        response = super().post(address, message, headers)
        self.last.headers = dict(response.headers)
        return response


def classify_fault(code: str | None, message: str) -> Outcome:
    """SOAP 1.1 Client.* / SOAP 1.2 Sender: our request is wrong, dead. Anything else: retry."""
    local = (code or "").rsplit(":", 1)[-1] if code else ""
    head = local.split(".", 1)[0]
    text = f"SOAP fault {local or '?'}: {short(message or '', 200)}"
    if head in ("Client", "Sender"):
        return Dead(text)
    return Retry(text)


class SoapTransport:
    def __init__(self, endpoint: Endpoint, *, binding: str = BINDING):
        if not endpoint.wsdl:
            raise OutboxError(f"{endpoint.code}: a SOAP endpoint needs its WSDL file")
        self.endpoint, self.binding = endpoint, binding
        self._creds = Credentials(endpoint.credentials_file)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def _service(self, *, read_timeout: float | None = None):
        """A zeep client per thread (zeep clients are not thread-safe), rebuilt when the
        credentials file changes."""
        creds = self._creds.get()
        key = (creds.get("username"), creds.get("password"))
        cached = getattr(self._local, "client", None)
        if cached is None or cached[0] != key:
            ep = self.endpoint
            session = new_session(ep)
            with self._lock:
                self._sessions.append(session)
            transport = _Transport(session=session, timeout=ep.connect_timeout,
                                       operation_timeout=(ep.connect_timeout, ep.read_timeout))
            wsse = UsernameToken(key[0], key[1], use_digest=True) if key[0] else None
            try:
                client = zeep.Client(ep.wsdl, transport=transport, wsse=wsse, settings=zeep.Settings(**HARDENED))
            except (OSError, etree.XMLSyntaxError, zeep.exceptions.Error) as e:
                raise OutboxError(f"{ep.wsdl}: cannot load the WSDL: {e}") from None
            service = client.create_service(self.binding, ep.url)
            cached = self._local.client = (key, client, service, transport)
        _, client, service, transport = cached
        transport.operation_timeout = (self.endpoint.connect_timeout, read_timeout or self.endpoint.read_timeout)
        return client, service

    def _has(self, client, op: str) -> bool:
        try:
            client.wsdl.bindings[self.binding].get(op)
            return True
        except (KeyError, ValueError, zeep.exceptions.Error):
            return False

    def send(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes]) -> Outcome:
        try:
            client, service = self._service()
        except OutboxError as e:
            return Dead(str(e))
        if not self._has(client, request.operation):
            return Dead(f"operation {request.operation} is not in {self.endpoint.wsdl}")
        try:
            if request.attachments and not self._has(client, UPLOAD_OPERATION):
                return Dead(f"{self.endpoint.wsdl} has no {UPLOAD_OPERATION}: this endpoint takes no attachments")
            for ref in request.attachments:
                service[UPLOAD_OPERATION](TransactionId=request.txid, Material=ref.material, Sha256=ref.sha256,
                                          Content=read_attachment(ref))
            res = service[request.operation](
                TransactionId=request.txid, Matter=request.matter,
                Fields={"Field": [{"Name": k, "Value": v} for k, v in request.fields.items()]},
                Attachments={"AttachmentRef": [{"Material": a.material, "Sha256": a.sha256, "Size": a.size}
                                               for a in request.attachments]})
            ref = getattr(res, "Reference", None)
            return Delivered(None if ref is None else str(ref), duplicate=bool(getattr(res, "Duplicate", False)))
        except zeep.exceptions.Fault as f:
            return classify_fault(f.code, f.message)
        except _HOSTILE as e:
            return Retry(f"refused hostile XML from the server ({type(e).__name__}): nothing in it was resolved")
        except zeep.exceptions.TransportError as e:
            if 200 <= e.status_code < 300:
                return Retry(f"malformed SOAP answer (HTTP {e.status_code}): {short(e.content or b'', 80)}")
            headers = getattr(self._local.client[3].last, "headers", {}) if getattr(self._local, "client", None) else {}
            return classify_status(e.status_code, headers, e.content or b"") or Retry(f"HTTP {e.status_code}")
        except zeep.exceptions.ValidationError as e:
            return Dead(f"request does not fit the WSDL: {short(str(e))}")
        except (etree.XMLSyntaxError, zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as e:
            return Retry(f"malformed SOAP answer: {short(str(e), 120)}")
        except _NET as e:
            return network_retry(e)
        except requests.RequestException as e:
            return Retry(f"request failed: {type(e).__name__}: {short(str(e), 160)}")
        except zeep.exceptions.Error as e:
            return Retry(f"SOAP error: {type(e).__name__}: {short(str(e), 160)}")

    def _call(self, op: str, **kw):
        try:
            client, service = self._service(read_timeout=limits.QUERY_READ_TIMEOUT)
            if not self._has(client, op):
                raise OutboxError(f"{self.endpoint.code}: operation {op} is not in {self.endpoint.wsdl}")
            return service[op](**kw)
        except zeep.exceptions.Fault as f:
            o = classify_fault(f.code, f.message)
            raise (OutboxError if isinstance(o, Dead) else UnavailableError)(f"{self.endpoint.code}: {o.reason}") from None
        except (requests.RequestException, zeep.exceptions.Error, etree.XMLSyntaxError) as e:
            raise UnavailableError(f"{self.endpoint.code}: unreachable: {type(e).__name__}") from None

    def status(self, txid: str, status_operation: str | None = None) -> RemoteStatus:
        res = self._call(status_operation or STATUS_OPERATION, TransactionId=txid)
        st = getattr(res, "State", None)
        return RemoteStatus(st if st in REMOTE_STATES else "unknown", getattr(res, "Reason", None),
                            getattr(res, "Reference", None))

    def query(self, operation: str, params: Mapping[str, str]) -> dict:
        res = self._call(QUERY_OPERATION, Operation=operation,
                         Params={"Field": [{"Name": k, "Value": str(v)} for k, v in params.items()]})
        items = getattr(res, "Field", None) if res is not None and not isinstance(res, list) else res
        return {f.Name: f.Value for f in (items or [])}

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()
