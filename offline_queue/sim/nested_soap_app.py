"""A simulated county intake platform (一窗受理) with its own SOAP contract, unlike the kiosk's:
nested request types (a header, the applicant, a list of form items, a list of materials with
their content as base64 elements), business result codes inside HTTP 200 (0000 accepted, 1002
already submitted with the original receipt number, 1001 unknown item code, 9001 busy), Chinese
status words (已受理, 预审通过, 需补正, 办结, 不予受理) with the reason in `opinion`, and WS-Security
UsernameToken with a PasswordText and a wsu:Timestamp required when credentials are set.

Its WSDL (offline_queue/sim/backends/nested-soap.wsdl) is what spyne makes of this module; the
kiosk reads it from that file, never from the server. Profile: backends/nested-soap.toml."""
from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import os
import re
from typing import Mapping

from lxml import etree
from spyne import Application, ByteArray, ComplexModel, DateTime, Integer, ServiceBase, Unicode, rpc
from spyne.model.complex import Array
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from offline_queue.sim import soap_app
from offline_queue.sim.http import Reply
from offline_queue.sim.state import JurisdictionState

logging.getLogger("spyne").setLevel(logging.CRITICAL)

TNS = "urn:example:ycsl:intake:2"
HERE = os.path.join(os.path.dirname(__file__), "backends")
WSDL_FILE = os.path.join(HERE, "nested-soap.wsdl")
PROFILE_FILE = os.path.join(HERE, "nested-soap.toml")
ITEM_CODE = re.compile(r"[0-9A-Z]{20,40}")  # the shape of a 事项编码 / 实施编码: anything else is unknown here
WORDS = {"received": "已受理", "prereview_passed": "预审通过", "needs_correction": "需补正", "completed": "办结",
         "rejected": "不予受理"}


class RequestHeader(ComplexModel):
    __namespace__ = TNS
    _type_info = [("appId", Unicode(min_occurs=1)), ("requestTime", DateTime(min_occurs=1))]


class Applicant(ComplexModel):
    __namespace__ = TNS
    _type_info = [("name", Unicode(min_occurs=1)), ("certType", Unicode(min_occurs=1, pattern=r"\d{3}")),
                  ("certNo", Unicode(min_occurs=1)), ("sex", Integer(min_occurs=0)),
                  ("birthDate", Unicode(min_occurs=0, pattern=r"\d{8}")), ("mobile", Unicode(min_occurs=0))]


class formItem(ComplexModel):  # noqa: N801 - the agency's element names
    __namespace__ = TNS
    _type_info = [("key", Unicode(min_occurs=1)), ("value", Unicode(min_occurs=0))]


class material(ComplexModel):  # noqa: N801
    __namespace__ = TNS
    _type_info = [("code", Unicode(min_occurs=1)), ("name", Unicode(min_occurs=0)),
                  ("fileName", Unicode(min_occurs=1)), ("content", ByteArray(min_occurs=1))]


class AcceptResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [("resultCode", Unicode), ("resultMsg", Unicode), ("receiveNo", Unicode)]


class param(ComplexModel):  # noqa: N801
    __namespace__ = TNS
    _type_info = [("key", Unicode(min_occurs=1)), ("value", Unicode(min_occurs=0))]


class QueryResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [("resultCode", Unicode), ("resultMsg", Unicode), ("items", Array(param))]


class ProgressResult(ComplexModel):
    __namespace__ = TNS
    _type_info = [("resultCode", Unicode), ("resultMsg", Unicode), ("status", Unicode), ("opinion", Unicode),
                  ("receiveNo", Unicode)]


def _state(ctx) -> JurisdictionState:
    return ctx.transport.req_env["sim.state"]


class IntakeService(ServiceBase):
    @rpc(RequestHeader.customize(min_occurs=1), Unicode(min_occurs=1), Unicode(min_occurs=1),
         Applicant.customize(min_occurs=1), Array(formItem), Array(material), Integer(min_occurs=0),
         _returns=AcceptResult)
    def acceptApply(ctx, header, applyNo, itemCode, applicant, formItems, materials, materialCount):
        st = _state(ctx)
        if not ITEM_CODE.fullmatch(itemCode or ""):
            return AcceptResult(resultCode="1001", resultMsg=f"事项编码不存在: {itemCode}")
        code = st.next_business_fault()
        if code:
            return AcceptResult(resultCode=code, resultMsg="系统繁忙，请稍后再试" if code == "9001" else "注入的业务错误")
        atts = []
        for m in materials or []:
            data = b"".join(m.content or [])
            sha = hashlib.sha256(data).hexdigest()
            st.upload(applyNo, sha, data)
            atts.append({"material": m.code, "sha256": sha, "size": len(data)})
        fields = {i.key: i.value or "" for i in (formItems or [])}  # the form by its keys, as the kiosk's own sim
        fields.update({f"applicant.{k}": str(getattr(applicant, k)) for k in Applicant._type_info
                       if getattr(applicant, k, None) is not None})
        code, d = st.submit(applyNo, itemCode, "acceptApply", fields, atts)
        if code == 422:
            return AcceptResult(resultCode="1003", resultMsg="申请编号重复但内容不同")
        if code >= 400:
            return AcceptResult(resultCode="1004", resultMsg=d.get("error", "refused"))
        if d.get("duplicate"):
            return AcceptResult(resultCode="1002", resultMsg="重复提交", receiveNo=d["reference"])
        return AcceptResult(resultCode="0000", resultMsg="受理成功", receiveNo=d["reference"])

    @rpc(Unicode(min_occurs=1), _returns=ProgressResult)
    def queryProgress(ctx, applyNo):
        d = _state(ctx).status(applyNo)
        if d is None:
            return ProgressResult(resultCode="2001", resultMsg="无此申请")
        return ProgressResult(resultCode="0000", resultMsg="查询成功", status=WORDS.get(d["status"], d["status"]),
                              opinion=d["reason"], receiveNo=d["reference"])


    @rpc(Unicode(min_occurs=1), Array(param), _returns=QueryResult)
    def queryInfo(ctx, queryCode, params):
        d = _state(ctx).query(queryCode, {p.key: p.value or "" for p in (params or [])})
        if d is None:
            return QueryResult(resultCode="3001", resultMsg=f"无此查询: {queryCode}")
        return QueryResult(resultCode="0000", resultMsg="查询成功", items=[param(key=k, value=str(v)) for k, v in d.items()])


def _application() -> Application:
    return Application([IntakeService], tns=TNS, name="IntakeService",
                       in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())


_WSGI = WsgiApplication(_application())
WSU = soap_app.WSU
WSSE = soap_app.WSSE
ENV = soap_app.ENV


class NestedSoapApp(soap_app.SoapApp):
    """The shell of the kiosk's own SOAP sim (faults, hostile XML, canary) around this service."""

    wsgi = _WSGI

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Reply:
        if path.startswith("/canary"):
            return super().handle(method, path, headers, body)
        if method == "POST" and self.state.username is not None:
            why = self._security_problem(body)
            if why:
                return Reply(500, soap_app.fault_envelope("Client.Authentication", why),
                             {"Content-Type": "text/xml; charset=utf-8"})
        return soap_app.call_wsgi(_WSGI, method, path, headers, body, self.state, self.port)

    def _security_problem(self, body: bytes) -> str | None:
        try:
            root = etree.fromstring(body, soap_app._PARSER)
        except etree.XMLSyntaxError:
            return None
        sec = root.find(f"{{{ENV}}}Header/{{{WSSE}}}Security")
        if sec is None:
            return "wsse:Security missing"
        ts = sec.find(f"{{{WSU}}}Timestamp")
        if ts is None:
            return "wsu:Timestamp missing"
        try:
            created = _dt.datetime.strptime(ts.findtext(f"{{{WSU}}}Created") or "", "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return "wsu:Created is not a UTC time"
        if abs((_dt.datetime.utcnow() - created).total_seconds()) > 600:
            return "wsu:Timestamp too old"
        tok = sec.find(f"{{{WSSE}}}UsernameToken")
        if tok is None or tok.findtext(f"{{{WSSE}}}Username") != self.state.username:
            return "UsernameToken missing or wrong user"
        pw = tok.find(f"{{{WSSE}}}Password")
        if pw is None or not (pw.get("Type") or "").endswith("#PasswordText") or pw.text != self.state.password:
            return "UsernameToken: wrong password (PasswordText expected)"
        return None
