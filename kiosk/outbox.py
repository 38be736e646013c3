"""The kiosk's Outbox port over offline_queue: maps a Transaction and its matter onto a request
to the jurisdiction, starts the simulated jurisdictions of sim:// endpoints, and turns outbox
failures into KioskErrors with a sentence for the resident."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import os
import threading
from typing import Any, Callable, Mapping

from kiosk.clock import Clock
from kiosk.config import Config, JurisdictionConfig
from kiosk.errors import KioskError, OfflineError
from kiosk import evaluation as _ev
from kiosk.ports import ProgressItem, SubmitOutcome
from kiosk.mapping import resolve_fields
from kiosk.transaction import Transaction
from kiosk.words import pair
from offline_queue import AttachmentIn, ItemInfo, OutboxError, Request, StoreFullError, UnavailableError
from offline_queue.crypto import create_key
from offline_queue.forwarder import Forwarder
from offline_queue.store import Store
from offline_queue.transports import Endpoint, Transport, make_transport

log = logging.getLogger(__name__)

SUBMIT_WAIT = 3.0  # s: how long submit waits for a prompt delivery before saying "queued, will forward"
OUTBOX_DIR = "outbox"  # under the site's data folder


# ---- mapping a transaction onto a request (pure) ------------------------------------------
def build_request(tx: Transaction, matter: Any) -> Request:
    """The request to the matter's jurisdiction, frozen from the transaction (attachments are added
    by the store as it seals them)."""
    m = matter.mapping
    fields = resolve_fields(m.fields, tx)
    if tx.corrects:  # 补正: a new submission that names the original (a profile maps it from `corrects`)
        fields.setdefault("corrects", tx.corrects)
    return Request(txid=tx.id, matter=tx.matter_code, operation=m.operation, fields=fields,
                   status_operation=getattr(m, "status_operation", None), values=profile_values(tx, matter))


def profile_values(tx: Transaction, matter: Any) -> dict[str, str]:
    """What a jurisdiction's interface profile may read besides the mapped fields, frozen with the
    request (offline_queue/profile.py: item_code, tracking, submitted_at, kiosk.id, form.*, card.*,
    delivery.*, material_name.<code>). Sealed in the outbox: it holds personal data."""
    v = {"item_code": getattr(matter, "item_code", None) or tx.matter_code, "tracking": tx.tracking_number,
         "submitted_at": tx.created_at.isoformat(timespec="seconds"), "kiosk.id": tx.kiosk_id,
         "corrects": tx.corrects or ""}
    for k, x in tx.form.items():
        v[f"form.{k}"] = str(x)
    for k, x in tx.identity.to_json().items():
        if x is not None and k != "photo":
            v[f"card.{k}"] = ("true" if x else "false") if isinstance(x, bool) else str(x)
    for k in ("method", "address", "recipient_phone"):
        x = getattr(tx.delivery, k, None)
        if x is not None:
            v[f"delivery.{k}"] = str(x)
    for mat in getattr(matter, "materials", ()) or ():
        v[f"material_name.{mat.code}"] = mat.name
    return v


def evaluation_request(ev: _ev.Evaluation, *, kiosk_id: str, at: _dt.datetime, txid: str | None = None) -> Request:
    """A 好差评 evaluation as the queued request: the platform's profile reads level, reasons and
    comment (mapped.*), tracking, item_code, kiosk.id and submitted_at. No card or form value."""
    import uuid
    s = ev.subject
    matter = s.matter or _ev.EVALUATION_MATTER
    return Request(
        txid=txid or uuid.uuid4().hex, matter=matter, operation="evaluation",
        fields={"level": str(ev.level), "reasons": ",".join(ev.reasons), "comment": ev.comment.strip(),
                "service": s.service},
        values={"item_code": matter, "tracking": s.tracking, "kiosk.id": kiosk_id,
                "submitted_at": at.isoformat(timespec="seconds")})


def evaluation_counts(store: Store) -> dict:
    """Counts of the evaluations in the outbox: per level (5 … 1), per outbox state, and how many
    could not be read (purged after delivery and retention: counted as 'purged')."""
    levels = {lv: 0 for lv in _ev.LEVELS}
    states: dict[str, int] = {}
    purged = 0
    for it in store.list(kind="evaluation", limit=10_000_000):
        states[it.state] = states.get(it.state, 0) + 1
        try:
            lv = int(store.load_request(it.txid).fields.get("level", ""))
        except (OutboxError, ValueError):
            purged += 1
            continue
        if lv in levels:
            levels[lv] += 1
    return {"levels": levels, "states": states, "purged": purged, "total": sum(states.values())}


def endpoint_for(jc: JurisdictionConfig, url: str | None = None, wsdl: str | None = None) -> Endpoint:
    return Endpoint(code=jc.code, protocol=jc.protocol, url=url or jc.endpoint, wsdl=wsdl or jc.wsdl,
                    credentials_file=jc.credentials, client_cert=jc.client_cert, client_key=jc.client_key,
                    ca_bundle=jc.ca_bundle, connect_timeout=jc.connect_timeout, read_timeout=jc.read_timeout,
                    profile=getattr(jc, "profile", None), allow_plain_http=getattr(jc, "allow_plain_http", False))


def provision_key(path: str) -> None:
    """Create the outbox key (mode 0600) at provisioning; refuses to overwrite an existing key."""
    try:
        create_key(path)
    except OutboxError as e:
        raise KioskError(f"outbox: {e}") from None


# ---- outbox failures as the kiosk reports them ----------------------------------------------
_FULL_ZH, _FULL_EN = pair("outbox.full")
_BROKEN_ZH, _BROKEN_EN = pair("outbox.broken")
_OFFLINE_ZH, _OFFLINE_EN = pair("outbox.offline")


def _kiosk_error(e: OutboxError) -> KioskError:
    if isinstance(e, StoreFullError):
        return KioskError(f"outbox: {e}", resident=_FULL_ZH, resident_en=_FULL_EN)
    if isinstance(e, UnavailableError):
        return OfflineError(f"outbox: {e}", resident=_OFFLINE_ZH, resident_en=_OFFLINE_EN)
    return KioskError(f"outbox: {e}", resident=_BROKEN_ZH, resident_en=_BROKEN_EN)


def _dt_of(t: float | None) -> _dt.datetime | None:
    return None if t is None else _dt.datetime.fromtimestamp(t).astimezone()


class KioskOutbox:
    """kiosk.ports.Outbox over an offline_queue store and forwarder. `simulators` holds the
    simulated jurisdictions started for sim:// endpoints (the demo panel cuts their network and
    sets their pre-review decision)."""

    def __init__(self, config: Config, catalog: Any, store: Store, forwarder: Forwarder,
                 transports: Mapping[str, Transport], simulators: Mapping[str, Any], *, started: bool):
        self.config, self.catalog, self.store, self.forwarder = config, catalog, store, forwarder
        self.transports = dict(transports)
        self.simulators = dict(simulators)
        self._started = started
        self._listeners: list[Callable[[], None]] = []
        self._changed = threading.Condition()

    # ---- Outbox port ----------------------------------------------------------------------
    def submit(self, tx: Transaction) -> SubmitOutcome:
        try:
            matter = self.catalog.get(tx.matter_code)
        except KeyError:
            raise KioskError(f"outbox: unknown matter {tx.matter_code!r}") from None
        if matter.kind == "query":
            raise KioskError(f"outbox: {tx.matter_code} is a query matter: it is asked, never queued")
        try:
            request = build_request(tx, matter)
        except ValueError as e:
            raise KioskError(f"catalog: {tx.matter_code}: {e}", resident=_BROKEN_ZH, resident_en=_BROKEN_EN) from None
        try:
            info = self.store.submit(request, jurisdiction=tx.jurisdiction, tracking=tx.tracking_number,
                                     subject=tx.identity.id_number,
                                     attachments=[AttachmentIn(a.material, a.path) for a in tx.attachments])
        except OutboxError as e:
            raise _kiosk_error(e) from None
        except OSError as e:  # an attachment PDF vanished before it was sealed
            raise KioskError(f"outbox: cannot read an attachment: {e.strerror}", resident=_BROKEN_ZH,
                             resident_en=_BROKEN_EN) from None
        log.info("queued %s (%s to %s)", tx.id, tx.matter_code, tx.jurisdiction)
        self._notify()
        if self._started:
            self.forwarder.wake()
            if self.online(tx.jurisdiction):  # offline: the receipt says "saved, forwarded later" at once
                info = self._wait_delivered(tx.id, SUBMIT_WAIT) or info
        return SubmitOutcome(txid=tx.id, tracking_number=tx.tracking_number, forwarded=info.state == "delivered",
                             remote_reference=info.remote_reference)

    def evaluate(self, ev: _ev.Evaluation) -> str:
        """Queue one 好差评 evaluation (an item of kind 'evaluation', no subject) for the site's
        evaluation platform; its id. Raises KioskError when it cannot be queued."""
        code = self.config.evaluation.jurisdiction or _ev.UNCONFIGURED
        request = evaluation_request(ev, kiosk_id=self.config.kiosk_id, at=_dt.datetime.fromtimestamp(self.store.now()).astimezone())
        try:
            self.store.submit(request, jurisdiction=code, tracking=ev.subject.tracking, kind="evaluation")
        except OutboxError as e:
            raise _kiosk_error(e) from None
        log.info("evaluation %s queued (level %d, %s, to %s)", request.txid, ev.level, request.matter, code)
        self._notify()
        if self._started:
            self.forwarder.wake()
        return request.txid

    def _wait_delivered(self, txid: str, seconds: float) -> ItemInfo | None:
        """Wait (real time: the forwarder works on real I/O) until the item left 'queued/sending'."""
        import time
        deadline = time.monotonic() + seconds
        with self._changed:
            while True:
                info = self.store.get(txid)
                if info is None or info.state in ("delivered", "dead"):
                    return info
                if info.state == "queued" and info.attempts > 0:  # tried and failed: it waits for a retry
                    return info
                left = deadline - time.monotonic()
                if left <= 0:
                    return info
                self._changed.wait(min(left, 0.25))

    def progress(self, *, id_number: str | None = None, tracking_number: str | None = None) -> list[ProgressItem]:
        try:
            items = self.store.find(subject=id_number, tracking=tracking_number)
        except OutboxError as e:
            raise _kiosk_error(e) from None
        items = [it for it in items if it.kind == "application"]  # an evaluation is no application
        out = []
        unreachable: set[str] = set()  # one failed status query per jurisdiction is enough waiting
        for it in items:
            rs, reason = it.remote_state, it.remote_reason
            t = self.transports.get(it.jurisdiction)
            if it.state == "delivered" and t is not None and it.jurisdiction not in unreachable \
                    and self.online(it.jurisdiction):
                try:
                    st = t.status(it.txid, self._status_operation(it.matter), reference=it.remote_reference)
                    if st.state != "unknown":
                        self.store.set_remote_status(it.txid, st)
                        rs, reason = st.state, st.reason
                except OutboxError as e:  # offline: the last known state
                    unreachable.add(it.jurisdiction)
                    log.info("status of %s: %s", it.txid, e)
            out.append(ProgressItem(txid=it.txid, tracking_number=it.tracking, matter_code=it.matter,
                                    jurisdiction=it.jurisdiction, created_at=_dt_of(it.created_at),
                                    local_state=it.state, remote_state=rs, remote_reason=reason))
        return out

    def _status_operation(self, matter_code: str) -> str | None:
        try:
            return self.catalog.get(matter_code).mapping.status_operation
        except (KeyError, AttributeError):
            return None

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    def failing(self) -> tuple[int, str | None]:
        got = self.store.stats()["internal_errors"]
        return got["count"], got["last"]

    def retry_dead(self) -> int:
        n = self.store.retry_dead()
        if n:
            self._notify()
            self.forwarder.wake()
        return n

    def query(self, jurisdiction: str, operation: str, params: dict) -> dict:
        t = self.transports.get(jurisdiction)
        if t is None:
            raise KioskError(f"outbox: no endpoint configured for jurisdiction {jurisdiction!r}")
        try:
            return t.query(operation, params)
        except OutboxError as e:
            raise _kiosk_error(e) from None

    def online(self, jurisdiction: str) -> bool:
        if jurisdiction not in self.transports:
            return False
        return self.forwarder.reachable.get(jurisdiction, True) and self.forwarder.breaker_state(jurisdiction) != "open"

    def subscribe(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    # ---- beyond the port: the technician and the demo panel --------------------------------
    def network_returned(self, jurisdiction: str | None = None) -> None:
        """The network is back (or the demo panel restored it): forward what waits, at once."""
        self.forwarder.network_up(jurisdiction)
        self._notify()

    def forward_once(self) -> dict[str, int]:
        """Drain what is due now as the one forwarder of this outbox (its lock; purge; leases
        given back on the way out). OutboxError when another forwarder runs."""
        return self.forwarder.run_once()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
        for cb in list(self._listeners):
            try:
                cb()
            except Exception:
                log.exception("outbox listener failed")

    def close(self) -> None:
        for name, fn in (("forwarder", self.forwarder.stop),
                         *((f"transport {c}", t.close) for c, t in self.transports.items()),
                         *((f"simulator {c}", s.stop) for c, s in self.simulators.items()),
                         ("store", self.store.close)):
            try:
                fn()
            except Exception:
                log.exception("outbox: closing %s failed", name)


def open_store(config: Config, *, clock: Clock | None = None, folder: str | None = None) -> Store:
    """Only the store (no transports, simulators or forwarder): what `kiosk-admin queue` and
    `submit` need beside a running kiosk."""
    folder = folder or os.path.join(config.data_folder, OUTBOX_DIR)
    if config.demo and not os.path.exists(config.outbox_key):
        provision_key(config.outbox_key)
    now = (lambda: clock.now().timestamp()) if clock is not None else None
    try:
        return Store(folder, config.outbox_key, retention_days=config.retention_days,
                     keep_delivered_days=config.keep_delivered_days, **({"now": now} if now else {}))
    except OutboxError as e:
        raise _kiosk_error(e) from None


def open_outbox(config: Config, catalog: Any, *, clock: Clock | None = None, start_forwarder: bool = True,
                folder: str | None = None) -> KioskOutbox:
    """Open (or create) the site's outbox, start simulated jurisdictions for sim:// endpoints,
    and (unless told not to) the forwarder thread. Raises KioskError when the outbox cannot open."""
    from offline_queue.sim import SimulatedJurisdiction

    store = open_store(config, clock=clock, folder=folder)  # the demo site makes its key itself
    sims: dict[str, Any] = {}
    transports: dict[str, Transport] = {}
    try:
        for code, jc in config.jurisdictions.items():
            if jc.endpoint.startswith("sim://"):  # sim://<kind>: the demo's simulated back ends
                sims[code] = SimulatedJurisdiction(jc.endpoint[6:], code).start()
                ep = endpoint_for(jc, url=sims[code].url, wsdl=sims[code].wsdl)
                if not jc.profile and sims[code].profile:  # the back end's own profile, unless the site names one
                    ep = dataclasses.replace(ep, profile=sims[code].profile)
                transports[code] = make_transport(ep)
            else:
                transports[code] = make_transport(endpoint_for(jc))
        box: KioskOutbox | None = None
        fwd = Forwarder(store, transports, on_change=lambda: box._notify() if box else None)
        box = KioskOutbox(config, catalog, store, fwd, transports, sims, started=start_forwarder)
        for code, sim in sims.items():  # the demo panel restoring a link is the network returning
            sim.on_reachable.append(lambda up, code=code: up and box.network_returned(code))
        if start_forwarder:
            fwd.start()
        return box
    except BaseException as e:
        for s in sims.values():
            s.stop()
        store.close()
        if isinstance(e, OutboxError):
            raise _kiosk_error(e) from None
        raise
