"""The SOAP transport (zeep), spoken as the jurisdiction's interface profile says: WSDL from a
local file (never fetched), the profile's binding and operations, parameters rendered from the
profile's templates, WS-Security UsernameToken (text or digest, with or without a Timestamp),
mTLS through a requests session, operation timeouts, a hardened XML parser, the transaction id on
every attempt. A configuration mistake met here (no WSDL, no such binding or operation, a value
the schema refuses, an answer path that finds nothing) makes the item dead with what to fix."""
from __future__ import annotations

import datetime as _dt
import logging
import re
import threading
from typing import Any, Callable, Mapping

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from lxml import etree
from zeep.wsse import utils as wsse_utils
from zeep.wsse.username import UsernameToken

from offline_queue import limits
from offline_queue.profile import Context, Reader, RenderError, cached_profile, render
from offline_queue.transports.common import (
    Credentials, Endpoint, classify_status, config_problem, network_retry, new_session, outcome_of as _outcome,
    profile_path, short,
)
from offline_queue.types import (
    AttachmentRef, Dead, OutboxError, Outcome, RemoteStatus, Request, Retry, UnavailableError,
)

HARDENED = dict(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True, xml_huge_tree=False)
BINDING = "{urn:quyu-tongban:jurisdiction:1}Jurisdiction"  # the project's own contract (profile quyu-soap)
_HOSTILE = (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden, zeep.exceptions.ExternalReferenceForbidden)
_NET = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
TIMESTAMP_TTL = 300  # s: wsu:Expires after wsu:Created

# zeep logs each envelope it sends and receives at DEBUG: names, ID numbers, scans. Nothing
# personal goes to a log, whatever level a technician sets.
logging.getLogger("zeep.transports").setLevel(logging.INFO)


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


class _Token(UsernameToken):
    """UsernameToken with a fresh wsu:Timestamp on every message when the profile asks for one."""

    def __init__(self, *a, timestamp: bool = False, **kw):
        super().__init__(*a, **kw)
        self._with_timestamp = timestamp

    def apply(self, envelope, headers):
        if self._with_timestamp:
            now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
            fmt = "%Y-%m-%dT%H:%M:%SZ"
            self.timestamp_token = wsse_utils.WSU.Timestamp(
                wsse_utils.WSU.Created(now.strftime(fmt)),
                wsse_utils.WSU.Expires((now + _dt.timedelta(seconds=TIMESTAMP_TTL)).strftime(fmt)))
        return super().apply(envelope, headers)


def classify_fault(code: str | None, message: str) -> Outcome:
    """SOAP 1.1 Client.* / SOAP 1.2 Sender: our request is wrong, dead. Anything else: retry."""
    local = (code or "").rsplit(":", 1)[-1] if code else ""
    head = local.split(".", 1)[0]
    text = f"SOAP fault {local or '?'}: {short(message or '', 200)}"
    if head in ("Client", "Sender"):
        if "auth" in local.lower():
            return Dead(text + ": check the credentials file (username, password) and the profile's [security]")
        return Dead(text + ": the agency refused the request; `kiosk-admin backend render` shows what was sent, "
                           "`kiosk-admin check-config` checks the profile against the WSDL")
    return Retry(text)


class ConfigProblem(OutboxError):
    """The site config, profile or WSDL does not fit: the item goes dead with this reason."""


def find_binding(client, profile, wsdl_path: str) -> str:
    """The binding's QName: the profile's [soap] binding, or service + port, or the WSDL's only one."""
    bindings = client.wsdl.bindings
    if profile.binding:
        if profile.binding not in bindings:
            raise ConfigProblem(f"binding {profile.binding} is not in {wsdl_path} (it has {', '.join(map(str, bindings))}): "
                                f"fix [soap] binding in {profile.where('soap.binding')}")
        return profile.binding
    if profile.service or profile.port:
        services = client.wsdl.services
        svc = services.get(profile.service) if profile.service else (next(iter(services.values())) if len(services) == 1 else None)
        if svc is None:
            raise ConfigProblem(f"service {profile.service!r} is not in {wsdl_path} (it has {', '.join(services)}): "
                                f"fix [soap] service in {profile.where('soap.service')}")
        port = svc.ports.get(profile.port) if profile.port else (next(iter(svc.ports.values())) if len(svc.ports) == 1 else None)
        if port is None:
            raise ConfigProblem(f"port {profile.port!r} is not in service {svc.name} of {wsdl_path} (it has "
                                f"{', '.join(svc.ports)}): fix [soap] port in {profile.where('soap.port')}")
        return port.binding.name.text
    soap11 = [k for k, b in bindings.items() if type(b).__name__ == "Soap11Binding"]
    if len(bindings) == 1:
        return next(iter(bindings))
    if len(soap11) == 1:
        return soap11[0]
    raise ConfigProblem(f"{wsdl_path} has {len(bindings)} bindings ({', '.join(map(str, bindings))}): "
                        f"name one in [soap] binding of {profile.path}")


def answer_doc(operation, result: Any) -> Any:
    """A SOAP answer as plain dicts rooted at the output element's children. zeep hands back the
    only child of a one-child response element by itself, and an array type (one repeated child)
    as a bare list; the names are put back so profile paths read like the WSDL
    (SubmitApplicationResult/Reference, QueryResult/Field)."""
    doc = zeep.helpers.serialize_object(result, target_cls=dict)
    body = getattr(operation.output, "body", None)
    typ = getattr(body, "type", None)
    if typ is None or not hasattr(typ, "elements"):
        return doc
    kids = typ.elements
    if len(kids) == 1 and not getattr(typ, "attributes", []) and not (isinstance(doc, dict) and kids[0][0] in doc):
        doc = {kids[0][0]: doc}
    return _rewrap(typ, doc)


def _rewrap(typ, doc: Any) -> Any:
    kids = getattr(typ, "elements", None)
    if not kids:
        return doc
    if isinstance(doc, list) and len(kids) == 1 and kids[0][1].max_occurs != 1:
        return {kids[0][0]: [_rewrap(kids[0][1].type, x) for x in doc]}
    if isinstance(doc, dict):
        for name, el in kids:
            if name in doc and doc[name] is not None:
                v = doc[name]
                doc[name] = [_rewrap(el.type, x) for x in v] if isinstance(v, list) and el.max_occurs != 1 \
                    else _rewrap(el.type, v)
    return doc


class SoapTransport:
    def __init__(self, endpoint: Endpoint, *, binding: str | None = None):
        if not endpoint.wsdl:
            raise OutboxError(f"{endpoint.code}: a SOAP endpoint needs its WSDL file")
        self.endpoint = endpoint
        self.profile_file = profile_path(endpoint)
        self._binding_override = binding
        self._creds = Credentials(endpoint.credentials_file)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    # ---- setting up -------------------------------------------------------------------------
    def profile(self):
        return cached_profile(self.profile_file)

    def _service(self, *, read_timeout: float | None = None):
        """(profile, client, service, binding) per thread (zeep clients are not thread-safe),
        rebuilt when the credentials file or the profile changes. Raises OutboxError (config)."""
        ep = self.endpoint
        why = config_problem(ep)
        if why:
            raise ConfigProblem(why)
        profile = self.profile()
        creds = self._creds.get()
        key = (creds.get("username"), creds.get("password"), id(profile))
        cached = getattr(self._local, "client", None)
        if cached is None or cached[0] != key:
            if profile.wsse != "none" and ep.credentials_file and not key[0]:
                raise ConfigProblem(f"{ep.credentials_file}: no username/password, which the profile's "
                                    f"wsse = \"{profile.wsse}\" needs: add them")
            session = new_session(ep)
            with self._lock:
                self._sessions.append(session)
            transport = _Transport(session=session, timeout=ep.connect_timeout,
                                   operation_timeout=(ep.connect_timeout, ep.read_timeout))
            wsse = None
            if key[0] and profile.wsse != "none":
                wsse = _Token(key[0], key[1], use_digest=profile.wsse == "digest", timestamp=profile.wsse_timestamp)
            try:
                client = zeep.Client(ep.wsdl, transport=transport, wsse=wsse, settings=zeep.Settings(**HARDENED))
            except (OSError, etree.XMLSyntaxError, zeep.exceptions.Error, ValueError, KeyError) as e:
                raise ConfigProblem(f"{ep.wsdl}: cannot load the WSDL: {short(str(e), 160)}: fix the file or the "
                                    f"site config's wsdl") from None
            binding = self._binding_override or find_binding(client, profile, ep.wsdl)
            try:
                service = client.create_service(binding, ep.url)
            except (ValueError, zeep.exceptions.Error) as e:
                raise ConfigProblem(f"binding {binding}: {e}: fix [soap] binding in {profile.path}") from None
            cached = self._local.client = (key, profile, client, service, transport, binding)
        _, profile, client, service, transport, binding = cached
        transport.operation_timeout = (ep.connect_timeout, read_timeout or ep.read_timeout)
        return profile, client, service, binding

    def _operation(self, client, binding: str, name: str, profile, kind: str):
        try:
            return client.wsdl.bindings[binding].get(name)
        except (KeyError, ValueError, zeep.exceptions.Error):
            raise ConfigProblem(f"operation {name} is not in {self.endpoint.wsdl}: fix [{kind}] operation in "
                                f"{profile.where(f'{kind}.operation')} or the catalog's mapping") from None

    def context(self, request: Request | None = None, read_attachment=None, **kw) -> Context:
        p = self.profile()
        return Context(request=request, read_attachment=read_attachment, maps=p.maps, **kw)

    def render_submit(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes],
                      mask=None) -> list[tuple[str, dict]]:
        """The calls a send makes, in order: (operation, parameters). For `backend render`."""
        p = self.profile()
        ctx = self.context(request, read_attachment, mask=mask)
        calls = []
        if p.ops["submit"].attachments == "upload":
            up = p.op("upload")
            for ref in request.attachments:
                ctx.attachment = ref
                calls.append((up.operation, render(up.body, ctx)))
                ctx.attachment = None
        sub = p.op("submit")
        op = request.operation if sub.catalog_operation and request.operation else sub.operation
        calls.append((op, render(sub.body, ctx)))
        return calls

    def envelopes(self, calls: list[tuple[str, dict]]) -> list[bytes]:
        """The exact envelopes for the calls (zeep's create_message: nothing is sent)."""
        _, client, service, binding = self._service()
        out = []
        for op, params in calls:
            self._operation(client, binding, op, self.profile(), "submit")
            try:
                node = client.create_message(service, op, **params)
            except (TypeError, zeep.exceptions.ValidationError, ValueError) as e:
                raise ConfigProblem(f"operation {op}: the schema refuses a value: {short(str(e))}") from None
            out.append(etree.tostring(node, pretty_print=True, encoding="utf-8", xml_declaration=True))
        return out

    # ---- sending ----------------------------------------------------------------------------
    def send(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes]) -> Outcome:
        try:
            profile, client, service, binding = self._service()
            sub = profile.op("submit")
            op_name = request.operation if sub.catalog_operation and request.operation else sub.operation
            op = self._operation(client, binding, op_name, profile, "submit")
            if request.attachments and sub.attachments == "none":
                return Dead(f"{request.txid}: {len(request.attachments)} attachments, but the profile "
                            f"{profile.path} sends none (submit.attachments = \"none\")")
            ctx = Context(request=request, read_attachment=read_attachment, maps=profile.maps)
            if request.attachments and sub.attachments == "upload":
                up = profile.op("upload")
                up_op = self._operation(client, binding, up.operation, profile, "upload")
                reader = Reader(profile, up)
                for ref in request.attachments:
                    ctx.attachment = ref
                    res = self._invoke(service, up.operation, render(up.body, ctx))
                    ctx.attachment = None
                    reading = reader.outcome(answer_doc(up_op, res))
                    if reading.outcome in ("retry", "dead"):
                        return _outcome(reading, f"attachment {ref.material}: ")
                    if reading.file_id:
                        ctx.file_ids[ref.sha256] = reading.file_id
            res = self._invoke(service, op_name, render(sub.body, ctx))
            reading = Reader(profile, sub).outcome(answer_doc(op, res))
            return _outcome(reading)
        except (ConfigProblem, RenderError) as e:
            return Dead(str(e))
        except OutboxError as e:  # a profile that does not load, a credentials file unreadable
            return Dead(f"{e}: fix it, then `kiosk-admin queue retry`")
        except zeep.exceptions.Fault as f:
            return classify_fault(f.code, f.message)
        except _HOSTILE as e:
            return Retry(f"refused hostile XML from the server ({type(e).__name__}): nothing in it was resolved")
        except zeep.exceptions.TransportError as e:
            if 200 <= e.status_code < 300:
                return Retry(f"malformed SOAP answer (HTTP {e.status_code}): {short(e.content or b'', 80)}")
            cached = getattr(self._local, "client", None)
            headers = getattr(cached[4].last, "headers", {}) if cached else {}
            return classify_status(e.status_code, headers, e.content or b"") or Retry(f"HTTP {e.status_code}")
        except (zeep.exceptions.ValidationError, TypeError, ValueError) as e:
            # a ValueError quotes the value it refused: a name or an ID number stays out of the reason
            text = re.sub(r"'[^']*'", "'…'", str(e)) if isinstance(e, ValueError) else str(e)
            return Dead(f"the request does not fit the WSDL: {short(text)}: fix the profile's template "
                        f"({self.profile_file}); `kiosk-admin check-config` shows where")
        except (etree.XMLSyntaxError, zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError) as e:
            return Retry(f"malformed SOAP answer: {short(str(e), 120)}")
        except _NET as e:
            return network_retry(e)
        except requests.RequestException as e:
            return Retry(f"request failed: {type(e).__name__}: {short(str(e), 160)}")
        except zeep.exceptions.Error as e:
            return Retry(f"SOAP error: {type(e).__name__}: {short(str(e), 160)}")

    @staticmethod
    def _invoke(service, op: str, params: Any):
        if not isinstance(params, dict):
            raise RenderError(f"operation {op}: the input template must be a table of the operation's parameters")
        return service[op](**params)

    # ---- asking -----------------------------------------------------------------------------
    def _ask(self, kind: str, op_name: str | None, ctx_kw: dict):
        try:
            profile, client, service, binding = self._service(read_timeout=limits.QUERY_READ_TIMEOUT)
            spec = profile.op(kind)
            name = op_name if spec.catalog_operation and op_name else spec.operation
            op = self._operation(client, binding, name, profile, kind)
            ctx = Context(maps=profile.maps, **ctx_kw)
            res = self._invoke(service, name, render(spec.body, ctx))
            return Reader(profile, spec), answer_doc(op, res)
        except zeep.exceptions.Fault as f:
            o = classify_fault(f.code, f.message)
            raise (OutboxError if isinstance(o, Dead) else UnavailableError)(f"{self.endpoint.code}: {o.reason}") from None
        except (ConfigProblem, RenderError) as e:
            raise OutboxError(f"{self.endpoint.code}: {e}") from None
        except (zeep.exceptions.ValidationError, TypeError) as e:
            raise OutboxError(f"{self.endpoint.code}: the request does not fit the WSDL: {short(str(e))}") from None
        except (requests.RequestException, zeep.exceptions.Error, etree.XMLSyntaxError) as e:
            raise UnavailableError(f"{self.endpoint.code}: unreachable: {type(e).__name__}") from None

    def status(self, txid: str, status_operation: str | None = None, reference: str | None = None) -> RemoteStatus:
        reader, doc = self._ask("status", status_operation, {"txid": txid, "reference": reference or ""})
        try:
            st, reason, ref = reader.status(doc)
        except RenderError as e:
            raise OutboxError(f"{self.endpoint.code}: {e}") from None
        return RemoteStatus(st, reason, ref)

    def query(self, operation: str, params: Mapping[str, str]) -> dict:
        reader, doc = self._ask("query", operation, {"operation": operation,
                                                     "params": {k: str(v) for k, v in params.items()}})
        try:
            return reader.query(doc)
        except RenderError as e:
            raise OutboxError(f"{self.endpoint.code}: {e}") from None

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()
