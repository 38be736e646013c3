"""One simulated jurisdiction as a handle: start it on a free loopback port (optionally TLS with
client certificates), cut or restore its network, script its pre-review, inject faults."""
from __future__ import annotations

from offline_queue.sim.http import SimServer
from offline_queue.sim.rest_app import RestApp
from offline_queue.sim.soap_app import WSDL_FILE, SoapApp
from offline_queue.sim.state import JurisdictionState
from offline_queue.sim.tls import TestPKI

# The simulated back ends: kind → protocol. rest and soap speak the kiosk project's own contract
# (the shipped profiles quyu-rest / quyu-soap); the others speak another agency's own interface,
# each described by its WSDL or API document and its profile in offline_queue/sim/backends/.
KINDS = {"rest": "rest", "soap": "soap", "nested-soap": "soap", "multipart-rest": "rest", "haochaping": "rest"}


def _app(kind: str, state: JurisdictionState):
    if kind == "rest":
        return RestApp(state)
    if kind == "soap":
        return SoapApp(state)
    if kind == "nested-soap":
        from offline_queue.sim.nested_soap_app import NestedSoapApp
        return NestedSoapApp(state)
    if kind == "haochaping":  # the 好差评 evaluation platform
        from offline_queue.sim.haochaping_app import HaochapingApp
        return HaochapingApp(state)
    from offline_queue.sim.multipart_rest_app import MultipartRestApp
    return MultipartRestApp(state)


class SimulatedJurisdiction:
    def __init__(self, kind: str, code: str = "sim", *, port: int = 0, pki: TestPKI | None = None,
                 require_client_cert: bool = True, prereview: str = "pass", host: str = "127.0.0.1"):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        self.kind, self.protocol, self.code, self.host = kind, KINDS[kind], code, host
        self.pki, self.require_client_cert = pki, require_client_cert
        self.state = JurisdictionState(code, prereview=prereview)
        self.app = _app(kind, self.state)
        self.port = port
        self._server: SimServer | None = None
        self.on_reachable: list = []  # callbacks(up: bool) when the network is cut or restored

    # ---- life -----------------------------------------------------------------------------
    def start(self) -> "SimulatedJurisdiction":
        ctx = self.pki.server_context(require_client_cert=self.require_client_cert) if self.pki else None
        self._server = SimServer(self.port, self.app, self.state, ctx, host=self.host)
        self.port = self._server.port
        if hasattr(self.app, "port"):
            self.app.port = self.port
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop listening: the endpoint is down (connections refused). start() again on the same port."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self):
        return self.start() if not self.running else self

    def __exit__(self, *exc):
        self.stop()

    # ---- what clients need ----------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{'https' if self.pki else 'http'}://{self.host}:{self.port}/"

    @property
    def wsdl(self) -> str | None:
        if self.kind == "nested-soap":
            from offline_queue.sim.nested_soap_app import WSDL_FILE as NESTED
            return NESTED
        return WSDL_FILE if self.protocol == "soap" else None

    @property
    def profile(self) -> str | None:
        """The interface profile this back end's clients use (None: the project's own contract)."""
        import os
        if self.kind in ("rest", "soap"):
            return None
        return os.path.join(os.path.dirname(__file__), "backends", f"{self.kind}.toml")

    @property
    def description(self) -> str | None:
        """The back end's own interface description: its WSDL, or its API document (REST)."""
        import os
        if self.kind == "multipart-rest":
            return os.path.join(os.path.dirname(__file__), "backends", "multipart-rest.openapi.json")
        return self.wsdl

    def endpoint_kwargs(self, *, with_client_cert: bool = True) -> dict:
        """Keyword arguments for offline_queue.transports.Endpoint (besides code and protocol)."""
        d = {"url": self.url, "wsdl": self.wsdl, "profile": self.profile}
        if self.pki:
            d["ca_bundle"] = self.pki.ca_cert
            if with_client_cert:
                d.update(client_cert=self.pki.client_cert, client_key=self.pki.client_key)
        return d

    # ---- the demo panel's and the tests' controls -----------------------------------------
    @property
    def faults(self):
        return self.state.faults

    def set_reachable(self, up: bool) -> None:
        """Cut (False) or restore (True) the network: while cut, every connection is reset."""
        self.state.reachable = up
        for cb in list(self.on_reachable):
            cb(up)

    def set_prereview(self, decision: str, reason: str | None = None, *, txid: str | None = None) -> None:
        self.state.set_prereview(decision, reason, txid=txid)

    def complete(self, txid: str) -> None:
        self.state.complete(txid)

    def set_credentials(self, *, token: str | None = None, username: str | None = None, password: str | None = None,
                        api_key: str | None = None) -> None:
        self.state.token, self.state.username, self.state.password = token, username, password
        self.state.api_key = api_key

    @property
    def received(self):
        return self.state.received

    def delivered_ids(self) -> set[str]:
        return self.state.delivered_ids()


def start_simulator(protocol: str, code: str = "sim", **kw) -> SimulatedJurisdiction:
    return SimulatedJurisdiction(protocol, code, **kw).start()
