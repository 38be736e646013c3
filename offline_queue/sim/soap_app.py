"""The simulated SOAP jurisdiction (spyne): SubmitApplication, UploadAttachment, QueryStatus and
Query, WS-Security UsernameToken checked, faults rendered as SOAP faults or hostile XML."""
from __future__ import annotations

import base64
import hashlib
import io
import logging
import os
from typing import Mapping

from lxml import etree
from spyne import Application, Array, Boolean, ByteArray, ComplexModel, Integer, ServiceBase, Unicode, rpc
from spyne.model.fault import Fault
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from offline_queue.sim.http import Reply
from offline_queue.sim.state import JurisdictionState

# spyne logs every SOAP fault it answers with a traceback; here faults are the point of the sim.
logging.getLogger("spyne").setLevel(logging.CRITICAL)

TNS = "urn:quyu-tongban:jurisdiction:1"
BINDING = f"{{{TNS}}}Jurisdiction"
WSDL_FILE = os.path.join(os.path.dirname(__file__), "jurisdiction.wsdl")
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class Field(ComplexModel):
    __namespace__ = TNS
    Name = Unicode(min_occurs=1)
    Value = Unicode


class AttachmentRef(ComplexModel):
    __namespace__ = TNS
    Material = Unicode(min_occurs=1)
    Sha256 = Unicode(min_occurs=1)
    Size = Integer


class SubmitResult(ComplexModel):
    __namespace__ = TNS
    Reference = Unicode
    Status = Unicode
    Duplicate = Boolean


class StatusResult(ComplexModel):
    __namespace__ = TNS
    State = Unicode
    Reason = Unicode
    Reference = Unicode


def _state(ctx) -> JurisdictionState:
    return ctx.transport.req_env["sim.state"]


class JurisdictionService(ServiceBase):
    @rpc(Unicode(min_occurs=1), Unicode(min_occurs=1), Array(Field), Array(AttachmentRef), _returns=SubmitResult)
    def SubmitApplication(ctx, TransactionId, Matter, Fields, Attachments):
        st = _state(ctx)
        fields = {f.Name: f.Value or "" for f in (Fields or [])}
        atts = [{"material": a.Material, "sha256": a.Sha256, "size": a.Size} for a in (Attachments or [])]
        with st.lock:
            if TransactionId in st.in_progress:
                raise Fault("Server.InProgress", "the same transaction is being processed")
            st.in_progress.add(TransactionId)
        try:
            code, d = st.submit(TransactionId, Matter, "SubmitApplication", fields, atts)
        finally:
            with st.lock:
                st.in_progress.discard(TransactionId)
        if code >= 400:
            raise Fault("Client.Refused", d.get("error", "refused"))
        return SubmitResult(Reference=d["reference"], Status=d["status"], Duplicate=d["duplicate"])

    @rpc(Unicode(min_occurs=1), Unicode(min_occurs=1), Unicode(min_occurs=1), ByteArray, _returns=Boolean)
    def UploadAttachment(ctx, TransactionId, Material, Sha256, Content):
        data = b"".join(Content or [])
        code, d = _state(ctx).upload(TransactionId, Sha256, data)
        if code >= 400:
            raise Fault("Client.BadAttachment", d.get("error", "refused"))
        return True

    @rpc(Unicode(min_occurs=1), _returns=StatusResult)
    def QueryStatus(ctx, TransactionId):
        d = _state(ctx).status(TransactionId)
        if d is None:
            return StatusResult(State="unknown")
        return StatusResult(State=d["status"], Reason=d["reason"], Reference=d["reference"])

    @rpc(Unicode(min_occurs=1), Array(Field), _returns=Array(Field))
    def Query(ctx, Operation, Params):
        d = _state(ctx).query(Operation, {f.Name: f.Value or "" for f in (Params or [])})
        if d is None:
            raise Fault("Client.UnknownQuery", f"unknown query {Operation}")
        return [Field(Name=k, Value=str(v)) for k, v in d.items()]


def _application() -> Application:
    return Application([JurisdictionService], tns=TNS, name="Jurisdiction",
                       in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())


_WSGI = WsgiApplication(_application())
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _call_wsgi(method: str, path: str, headers: Mapping[str, str], body: bytes, state, port: int) -> Reply:
    return call_wsgi(_WSGI, method, path, headers, body, state, port)


def call_wsgi(wsgi, method: str, path: str, headers: Mapping[str, str], body: bytes, state, port: int) -> Reply:
    p, _, q = path.partition("?")
    env = {"REQUEST_METHOD": method, "PATH_INFO": p, "QUERY_STRING": q, "SCRIPT_NAME": "",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port), "HTTP_HOST": f"127.0.0.1:{port}",
           "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
           "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": True,
           "wsgi.multiprocess": False, "wsgi.run_once": False,
           "CONTENT_TYPE": headers.get("Content-Type", "text/xml"), "CONTENT_LENGTH": str(len(body)),
           "HTTP_SOAPACTION": headers.get("SOAPAction", ""), "sim.state": state}
    out = {}

    def start_response(status, hdrs, exc_info=None):
        out["status"], out["headers"] = status, hdrs

    data = b"".join(wsgi(env, start_response))
    return Reply(int(out["status"].split()[0]), data, {k: v for k, v in out["headers"] if k.lower() != "content-length"})


def wsdl_text(address: str = "http://127.0.0.1:0/") -> str:
    """The service's WSDL as spyne generates it, for the given address."""
    from urllib.parse import urlsplit
    u = urlsplit(address)
    r = _call_wsgi("GET", "/?wsdl", {}, b"", None, u.port if u.port is not None else 80)
    return r.body.decode("utf-8")


def fault_envelope(code: str, text: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><soap11env:Envelope xmlns:soap11env="{ENV}"><soap11env:Body>'
            f'<soap11env:Fault><faultcode>soap11env:{code}</faultcode><faultstring>{text}</faultstring>'
            '</soap11env:Fault></soap11env:Body></soap11env:Envelope>').encode("utf-8")


class SoapApp:
    def __init__(self, state: JurisdictionState):
        self.state = state
        self.port = 0
        self.canary_hits = 0  # requests for the hostile XML's external entity: must stay 0

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        if path.startswith("/canary"):
            self.canary_hits += 1
            return Reply(200, b"CANARY-SECRET", {"Content-Type": "text/plain"})
        if method == "POST" and (self.state.username is not None) and not self._authenticated(body):
            return Reply(500, fault_envelope("Client.Authentication", "WS-Security UsernameToken missing or wrong"),
                         {"Content-Type": "text/xml; charset=utf-8"})
        return _call_wsgi(method, path, headers, body, self.state, self.port)

    def _authenticated(self, body: bytes) -> bool:
        try:
            root = etree.fromstring(body, _PARSER)
        except etree.XMLSyntaxError:
            return True  # spyne answers a client fault for the broken envelope itself
        tok = root.find(f"{{{ENV}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if tok is None:
            return False
        user = tok.findtext(f"{{{WSSE}}}Username")
        pw = tok.find(f"{{{WSSE}}}Password")
        if user != self.state.username or pw is None:
            return False
        if (pw.get("Type") or "").endswith("#PasswordDigest"):
            nonce = base64.b64decode(tok.findtext(f"{{{WSSE}}}Nonce") or "")
            created = tok.findtext(f"{{{WSU}}}Created") or ""
            want = base64.b64encode(hashlib.sha1(nonce + created.encode() + (self.state.password or "").encode()).digest())
            return (pw.text or "").encode() == want
        return pw.text == self.state.password

    def fault_reply(self, kind: str) -> Reply:
        if kind == "soapfault":
            return Reply(500, fault_envelope("Server", "injected server fault"), {"Content-Type": "text/xml; charset=utf-8"})
        if kind == "soapclientfault":
            return Reply(500, fault_envelope("Client", "injected client fault"), {"Content-Type": "text/xml; charset=utf-8"})
        return Reply(int(kind) if kind.isdigit() else 500, f"injected {kind}".encode(), {"Content-Type": "text/plain"})

    def malformed(self, reply: Reply) -> Reply:
        return Reply(200, b'<?xml version="1.0"?><soap11env:Envelope xmlns:soap11env="' + ENV.encode() + b'"><soap11env:Bo',
                     {"Content-Type": "text/xml; charset=utf-8"})

    def hostile(self, reply: Reply) -> Reply:
        """A well-formed answer carrying a DTD with a file and a network external entity."""
        doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<!DOCTYPE soap11env:Envelope [\n'
               f'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
               f'  <!ENTITY canary SYSTEM "http://127.0.0.1:{self.port}/canary">\n'
               f'  <!ENTITY lol "lollollollollollollollollollol">\n'
               f']>\n'
               f'<soap11env:Envelope xmlns:soap11env="{ENV}" xmlns:tns="{TNS}"><soap11env:Body>'
               f'<tns:SubmitApplicationResponse><tns:SubmitApplicationResult><tns:Reference>&xxe;&canary;&lol;</tns:Reference>'
               f'<tns:Status>received</tns:Status><tns:Duplicate>false</tns:Duplicate></tns:SubmitApplicationResult>'
               f'</tns:SubmitApplicationResponse></soap11env:Body></soap11env:Envelope>')
        return Reply(200, doc.encode("utf-8"), {"Content-Type": "text/xml; charset=utf-8"})
