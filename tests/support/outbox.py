"""Shared fixtures for the outbox tests: a store with its key, a hand-moved clock, simulated
jurisdictions (plain and TLS), a tiny catalog stand-in and a resident."""
from __future__ import annotations

import dataclasses
import os
import uuid

import pytest

from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.sim import SimulatedJurisdiction
from offline_queue.sim.tls import make_test_pki
from offline_queue.store import Store
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import AttachmentIn, Request

ID_NUMBER = "11010519491231002X"
NAME = "张三丰"


class Now:
    """Epoch seconds that move only when told."""

    def __init__(self, t: float = 1_795_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def key_path(tmp_path) -> str:
    p = str(tmp_path / "keys" / "outbox.key")
    create_key(p)
    return p


@pytest.fixture
def store(tmp_path, key_path, now):
    s = Store(str(tmp_path / "outbox"), key_path, now=now, retention_days=30)
    yield s
    s.close()


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return make_test_pki(str(tmp_path_factory.mktemp("pki")))


def sim_fixture(protocol: str, tls: bool = False):
    @pytest.fixture
    def _fx(request):
        kw = {"pki": request.getfixturevalue("pki")} if tls else {}
        sim = SimulatedJurisdiction(protocol, "dachang", **kw).start()
        yield sim
        sim.stop()
    return _fx


rest_sim = sim_fixture("rest")
soap_sim = sim_fixture("soap")
rest_sim_tls = sim_fixture("rest", tls=True)
soap_sim_tls = sim_fixture("soap", tls=True)


def endpoint_for(sim: SimulatedJurisdiction, *, code: str = "dachang", read_timeout: float = 5.0, **kw) -> Endpoint:
    args = sim.endpoint_kwargs() | kw
    return Endpoint(code=code, protocol=sim.protocol, connect_timeout=2.0, read_timeout=read_timeout, **args)


def forwarder_for(store: Store, sim: SimulatedJurisdiction, *, code: str = "dachang", **kw) -> Forwarder:
    ep_kw = {k: kw.pop(k) for k in list(kw) if k in ("read_timeout", "credentials_file", "client_cert", "client_key")}
    return Forwarder(store, {code: make_transport(endpoint_for(sim, code=code, **ep_kw))}, rand=lambda: 0.0, **kw)


def make_request(protocol: str = "rest", *, txid: str | None = None, fields: dict | None = None,
                 matter: str = "GJJ-WITHDRAW") -> Request:
    return Request(txid=txid or str(uuid.uuid4()), matter=matter,
                   operation="SubmitApplication" if protocol == "soap" else "/applications/gjj-withdrawal",
                   fields=fields if fields is not None else {"name": NAME, "id_number": ID_NUMBER, "amount": "1200.00"})


def submit(store: Store, protocol: str = "rest", *, jurisdiction: str = "dachang", attachments=(), **kw):
    req = make_request(protocol, **kw)
    return store.submit(req, jurisdiction=jurisdiction, tracking="261127" + req.txid[:8].upper(), subject=ID_NUMBER,
                        attachments=attachments)


def pdf_file(folder, name: str = "idcopy.pdf", size: int = 2000) -> str:
    path = os.path.join(str(folder), name)
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n" + name.encode() + b"\n" + (NAME.encode() + ID_NUMBER.encode()) * (size // 30))
    return path


def attachment(folder, material: str = "idcopy") -> AttachmentIn:
    return AttachmentIn(material, pdf_file(folder, f"{material}.pdf"))


# ---- a stand-in for kiosk.catalog until the lead's catalog lands --------------------------
@dataclasses.dataclass(frozen=True)
class Mapping_:
    operation: str
    fields: dict
    status_operation: str | None = None


@dataclasses.dataclass(frozen=True)
class Matter_:
    code: str
    name: str
    jurisdiction: str
    kind: str
    offline_ok: bool
    mapping: Mapping_
    remote_code: str | None = None  # the jurisdiction's own item code (事项编码)

    @property
    def item_code(self) -> str:
        return self.remote_code or self.code


class Catalog_:
    def __init__(self, matters):
        self._m = {m.code: m for m in matters}

    def get(self, code: str):
        return self._m[code]


FIELDS = {"applicant_name": "card.name", "applicant_id": "card.id_number", "birth": "card.birth_date",
          "amount": "form.amount", "account": "form.bank_account", "delivery": "delivery.method",
          "address": "delivery.address", "kiosk": "kiosk.id", "channel": "const:kiosk"}


def stand_in_catalog() -> Catalog_:
    return Catalog_([
        Matter_("GJJ-WITHDRAW-DC", "住房公积金提取", "dachang", "application", True,
                Mapping_("/applications/gjj-withdrawal", FIELDS, "/status")),
        Matter_("GJJ-WITHDRAW-TZ", "住房公积金提取", "tongzhou", "application", True,
                Mapping_("SubmitApplication", FIELDS, None)),
        Matter_("SB-CERT-SH", "社保参保证明", "sanhe", "application", True,
                Mapping_("/applications/sb-cert", {"id": "card.id_number"}, None),
                remote_code="1310820000MB1500000000004000111"),  # Sanhe's API knows its own codes only
        Matter_("GJJ-BALANCE-DC", "公积金余额查询", "dachang", "query", False,
                Mapping_("gjj-balance", {"id_number": "card.id_number"}, None)),
    ])


def site_config(tmp_path, *, demo: bool = True):
    """The demo site with its data in tmp_path: sim:// jurisdictions, a key made on first open."""
    from kiosk.config import DEMO_SITE, parse_config
    text = DEMO_SITE.read_text(encoding="utf-8").replace(
        "[data]\n", f'[data]\nfolder = "{tmp_path}/data"\noutbox_key = "{tmp_path}/keys/outbox.key"\n', 1)
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, str(path), demo=demo), str(path)


def resident():
    import datetime as _dt
    from kiosk.identity import Identity
    return Identity("resident", NAME, ID_NUMBER, sex="female", birth_date=_dt.date(1949, 12, 31))


def transaction(matter_code: str = "GJJ-WITHDRAW-DC", jurisdiction: str = "dachang", attachments=()):
    from kiosk.transaction import Transaction
    return Transaction(id=Transaction.new_id(), matter_code=matter_code, jurisdiction=jurisdiction,
                       identity=resident(), form={"amount": "1200.00", "bank_account": "6222"},
                       attachments=tuple(attachments), kiosk_id="demo-dachang-01")


def drive(fw, now: Now, *, rounds: int = 200, step: float | None = None) -> dict:
    """Run the forwarder round by round, moving the clock past each scheduled retry, until nothing
    waits (or `rounds` is spent). No sleeping: the clock jumps."""
    from offline_queue import limits
    for _ in range(rounds):
        fw.forward_once()
        c = fw.store.counts()
        if c["queued"] == 0 and c["sending"] == 0:
            return c
        due = fw.store.next_due()
        wait = (due - now()) if due is not None and due > now() else limits.BREAKER_COOLDOWN  # due but its breaker is open
        now.advance(max(step or 0.0, wait) + 0.001)
    return fw.store.counts()
