"""kiosk-admin submit, queue status|list|show|retry|forward, and sim jurisdiction: the outbox
from the console."""
from __future__ import annotations

import argparse
import json
import sys

STATES = ("queued", "sending", "delivered", "dead")


def register(sub, groups) -> None:
    p = sub.add_parser("submit", help="queue a transaction as the kiosk would and print its id",
                       description="Queue an application durably (sealed) exactly as the kiosk does; prints its "
                                   "transaction id. The running kiosk's forwarder sends it (or `queue forward`).")
    p.add_argument("--matter", required=True, metavar="CODE", help="the matter's code in the catalog")
    p.add_argument("--identity", required=True, metavar="FILE.json", help="the resident, as `read-id --json` prints it")
    p.add_argument("--field", action="append", default=[], metavar="K=V", help="a form value (repeatable)")
    p.add_argument("--attach", action="append", default=[], metavar="MATERIAL=FILE", help="a material's PDF (repeatable)")
    p.add_argument("--delivery", choices=("pickup", "mail"), default="pickup", help="how the result reaches the resident")
    p.add_argument("--config", default=argparse.SUPPRESS, help="site config (overrides the global --config)")
    p.add_argument("--json", action="store_true", help="print id, tracking number and state as JSON")
    p.set_defaults(func=cmd_submit)

    q = groups["queue"]
    p = q.add_parser("status", help="counts by state, oldest queued age, per jurisdiction",
                     description="The outbox at a glance: items per state, the age of the oldest waiting item, "
                                 "and the counts per jurisdiction.")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = q.add_parser("list", help="list items (metadata only, never personal data)",
                     description="List outbox items: id, tracking number, matter, jurisdiction, state, attempts, last error.")
    p.add_argument("--state", choices=STATES)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = q.add_parser("show", help="one item's metadata and history fields",
                     description="One item's metadata: state, attempts, next attempt, lease, last error, remote reference "
                                 "and state, attachments (material, hash, size). Personal data stays sealed.")
    p.add_argument("id", metavar="ID", help="transaction id (or tracking number)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = q.add_parser("retry", help="put a dead item (or all with --dead) back in the queue",
                     description="After fixing the cause (credentials, endpoint, catalog mapping), queue a dead item again.")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("id", nargs="?", metavar="ID")
    g.add_argument("--dead", action="store_true", help="every dead item")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retry)

    p = q.add_parser("forward", help="run the forwarder in the foreground",
                     description="Run the forwarder in the foreground until stopped (Ctrl-C / SIGTERM); with --once, send "
                                 "what is due now and exit. Only one forwarder may run per outbox.")
    p.add_argument("--once", action="store_true", help="drain what is due now and exit")
    p.add_argument("--json", action="store_true", help="print the final counts as JSON")
    p.set_defaults(func=cmd_forward)

    p = q.add_parser("backup", help="copy the outbox, consistently, into a new folder",
                     description="Copy the outbox (database snapshot, sealed attachments, marker) into a new folder "
                                 "while the kiosk runs; the copy is opened with the kiosk's key to prove it before "
                                 "this says done. Everything stays sealed; the key is not copied. To restore: stop "
                                 "the kiosk and the forwarder, move the damaged outbox folder aside, copy the backup "
                                 "folder in its place (cp -a), start them again.")
    p.add_argument("--out", required=True, metavar="DIR", help="a folder that does not exist yet (or is empty)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)

    s = groups["sim"]
    p = s.add_parser("jurisdiction", help="run simulated jurisdictions (REST and/or SOAP) on loopback",
                     description="Serve simulated jurisdictions on 127.0.0.1 until stopped. The first stdout lines are "
                                 "`rest URL` and `soap URL WSDL` (`nested-soap URL WSDL PROFILE`, `multipart-rest URL "
                                 "PROFILE`; the TLS files with --tls). Without a port option, rest and soap start on free ports.")
    p.add_argument("--rest", type=int, metavar="PORT", help="REST port (0: a free one)")
    p.add_argument("--soap", type=int, metavar="PORT", help="SOAP port (0: a free one)")
    p.add_argument("--nested-soap", type=int, metavar="PORT",
                   help="another agency's SOAP contract (nested types, base64 materials, result codes): its port")
    p.add_argument("--multipart-rest", type=int, metavar="PORT",
                   help="another agency's REST API (multipart, API key, Chinese status words): its port")
    p.add_argument("--tls", action="store_true", help="HTTPS with a fresh test CA; client certificates required")
    p.add_argument("--faults", metavar="SPEC", default="",
                   help="faults to inject: KIND*N (the next N requests) or KIND=RATE, comma-separated; kinds: "
                        "500 503 429 400 404 422 timeout reset slow malformed soapfault soapclientfault hostile down")
    p.add_argument("--prereview", choices=("pass", "needs_correction", "reject", "hold"), default="pass",
                   help="the remote pre-review decision for every application")
    p.add_argument("--code", default="sim", help="jurisdiction code used in references")
    p.set_defaults(func=cmd_sim)


# ---- helpers --------------------------------------------------------------------------------
def _config(args):
    from kiosk.config import load_config
    return load_config(getattr(args, "config", None), demo=getattr(args, "demo", False))


def _store(args):
    from kiosk.outbox import open_store
    return open_store(_config(args))


def _age(seconds) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 86400}d{s % 86400 // 3600}h" if s >= 86400 else f"{s // 3600}h{s % 3600 // 60}m" if s >= 3600 else f"{s // 60}m{s % 60}s"


def _when(t) -> str:
    import datetime as _dt
    return "-" if t is None else _dt.datetime.fromtimestamp(t).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _find(store, ident: str):
    from kiosk.errors import UsageError
    info = store.get(ident)
    if info is None:
        got = store.find(tracking=ident)
        info = got[0] if len(got) == 1 else None
    if info is None:
        raise UsageError(f"queue: no item {ident!r}")
    return info


# ---- commands -------------------------------------------------------------------------------
def cmd_submit(args) -> int:
    import os

    from kiosk.catalog import load_catalog
    from kiosk.cli.submit_input import build_application
    from kiosk.errors import KioskError, UsageError
    from kiosk.outbox import build_request, open_store, _kiosk_error
    from offline_queue import AttachmentIn, OutboxError

    cfg = _config(args)
    catalog = load_catalog(cfg.active_catalog())  # the installed one (catalog update), as the kiosk uses
    try:
        matter = catalog.get(args.matter)
    except KeyError:
        raise UsageError(f"submit: unknown matter {args.matter!r}") from None
    if matter.kind == "query":
        raise UsageError(f"submit: {args.matter} is a query matter: it is asked, never queued")
    # checked as the kiosk's screens check it (kiosk.intake): card, form, materials, delivery
    tx = build_application(matter, identity_path=args.identity, fields=args.field, attach=args.attach,
                           delivery_method=args.delivery, kiosk_id=cfg.kiosk_id)
    identity, atts = tx.identity, tx.attachments
    try:
        request = build_request(tx, matter)
    except ValueError as e:
        raise KioskError(f"catalog: {matter.code}: {e}") from None
    store = open_store(cfg)
    try:
        info = store.submit(request, jurisdiction=tx.jurisdiction, tracking=tx.tracking_number,
                            subject=identity.id_number, attachments=[AttachmentIn(a.material, os.path.abspath(a.path)) for a in atts])
    except OutboxError as e:
        raise _kiosk_error(e) from None
    finally:
        store.close()
    if args.json:
        print(json.dumps({"txid": info.txid, "tracking_number": info.tracking, "state": info.state,
                          "jurisdiction": info.jurisdiction, "matter": info.matter}, ensure_ascii=False))
    else:
        print(info.txid)
        print(f"tracking {info.tracking}: {info.state} for {info.jurisdiction}", file=sys.stderr)
    return 0


def cmd_status(args) -> int:
    store = _store(args)
    try:
        st = store.stats()
    finally:
        store.close()
    if args.json:
        print(json.dumps(st, ensure_ascii=False))
        return 0
    c = st["counts"]
    print(" ".join(f"{k}={c[k]}" for k in STATES) + f"  oldest waiting: {_age(st['oldest_queued_age'])}")
    failing = st.get("internal_errors") or {}
    if failing.get("count"):
        print(f"  failing: {failing['count']} item(s) retried after an error in the kiosk itself, last: "
              f"{failing['last']}  (kiosk-admin diagnostics collects what support needs)")
    for code, cs in sorted(st["jurisdictions"].items()):
        print(f"  {code:10} " + " ".join(f"{k}={cs[k]}" for k in STATES))
    return 0


def cmd_list(args) -> int:
    store = _store(args)
    try:
        items = store.list(args.state, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([i.to_json() for i in items], ensure_ascii=False))
        return 0
    for i in items:
        err = f"  {i.last_error[:60]}" if i.last_error else ""
        print(f"{i.txid}  {i.tracking}  {i.matter:14} {i.jurisdiction:9} {i.state:9} tries={i.attempts}{err}")
    return 0


def cmd_show(args) -> int:
    store = _store(args)
    try:
        info = _find(store, args.id)
    finally:
        store.close()
    d = info.to_json()
    if args.json:
        print(json.dumps(d, ensure_ascii=False))
        return 0
    for k in ("txid", "tracking", "matter", "jurisdiction", "state", "attempts", "failures", "last_error", "remote_reference",
              "remote_state", "remote_reason"):
        print(f"{k:17} {d[k] if d[k] is not None else '-'}")
    for k in ("created_at", "updated_at", "next_attempt_at", "lease_until", "delivered_at", "purged_at"):
        print(f"{k:17} {_when(d[k])}")
    for a in info.attachments:
        print(f"attachment        {a.material} sha256={a.sha256[:16]}… {a.size} bytes")
    return 0


def cmd_retry(args) -> int:
    from kiosk.errors import KioskError
    store = _store(args)
    try:
        if args.dead:
            n = store.retry_dead()
        else:
            info = _find(store, args.id)
            if info.state != "dead":
                raise KioskError(f"queue: {info.txid} is {info.state}, not dead: nothing to retry")
            n = int(store.retry(info.txid))
    finally:
        store.close()
    print(json.dumps({"requeued": n}) if args.json else f"requeued {n}")
    return 0


def cmd_forward(args) -> int:
    import signal
    import threading

    from kiosk.catalog import load_catalog
    from kiosk.errors import KioskError, UsageError
    from kiosk.outbox import open_outbox
    from offline_queue.forwarder import LOCK_NAME
    from offline_queue import OutboxError

    cfg = _config(args)
    box = open_outbox(cfg, load_catalog(cfg.active_catalog()), start_forwarder=False)

    def locked(fn):  # a second forwarder on one outbox is a usage mistake: one line, exit 2
        try:
            return fn()
        except OutboxError as e:
            if LOCK_NAME in str(e):
                raise UsageError(f"queue forward: {e}") from None
            raise KioskError(f"queue forward: {e}") from None

    try:
        if args.once:  # the same lock as the service; leases given back and purge done as it ends
            counts = locked(box.forward_once)
        else:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *a: stop.set())
            locked(box.forwarder.start)
            print(f"forwarding from {box.store.folder} (Ctrl-C stops)", file=sys.stderr)
            try:
                _watch(box.forwarder, stop)
            except KeyboardInterrupt:
                pass
            counts = box.counts()
    finally:
        box.close()
    print(json.dumps(counts) if args.json else " ".join(f"{k}={counts[k]}" for k in STATES))
    return 0


def _watch(forwarder, stop, *, notifier=None, monotonic=None) -> None:
    """Until `stop` is set: tell systemd the service is ready, then feed its watchdog while the
    forwarder thread shows signs of life. A wedged or dead thread stops the pings and systemd
    restarts the service (kiosk-forwarder.service: Type=notify, WatchdogSec=)."""
    import logging
    import time

    from kiosk import watchdog

    log = logging.getLogger("kiosk.forwarder")
    notifier = notifier or watchdog.Notifier()
    monotonic = monotonic or time.monotonic
    every = notifier.ping_interval()
    notifier.ready("forwarding")
    said, pinged = None, monotonic()
    while not stop.wait(1.0):
        why = forwarder.stalled()
        if why != said:
            if why:
                log.error("forwarder: %s; watchdog pings stop, systemd restarts the service", why)
            notifier.status(why or "forwarding")
            said = why
        if every and not why and monotonic() - pinged >= every:
            notifier.ping()
            pinged = monotonic()
    notifier.stopping()


def cmd_sim(args) -> int:
    import signal
    import tempfile
    import threading

    from kiosk.errors import UsageError
    from offline_queue.sim import SimulatedJurisdiction
    from offline_queue.sim.tls import make_test_pki

    wanted = [(p, port) for p, port in (("rest", args.rest), ("soap", args.soap), ("nested-soap", args.nested_soap),
                                        ("multipart-rest", args.multipart_rest)) if port is not None]
    if not wanted:
        wanted = [("rest", 0), ("soap", 0)]
    pki = make_test_pki(tempfile.mkdtemp(prefix="kiosk-sim-pki-")) if args.tls else None
    sims = []
    try:
        for proto, port in wanted:
            sim = SimulatedJurisdiction(proto, args.code, port=port, pki=pki, prereview=args.prereview)
            try:
                sim.faults.apply_spec(args.faults)
            except ValueError as e:
                raise UsageError(f"--faults: {e}") from None
            try:
                sim.start()
            except OSError as e:
                raise UsageError(f"--{proto} {port}: cannot listen: {e.strerror}") from None
            sims.append(sim)
            print(f"{proto} {sim.url}" + (f" {sim.wsdl}" if sim.wsdl else "") + (f" {sim.profile}" if sim.profile else ""),
                  flush=True)
        if pki:
            print(f"ca {pki.ca_cert}\nclient_cert {pki.client_cert}\nclient_key {pki.client_key}", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        for s in sims:
            s.stop()
    return 0


def cmd_backup(args) -> int:
    import os

    from kiosk.errors import KioskError
    from kiosk.outbox import _kiosk_error
    from offline_queue import OutboxError
    from offline_queue.store import Store

    cfg = _config(args)
    store = _store(args)
    dest = os.path.abspath(args.out)
    try:
        counts = store.backup(dest)
    except OutboxError as e:
        raise _kiosk_error(e) from None
    finally:
        store.close()
    try:  # the proof: the copy opens with this kiosk's key and passes SQLite's check
        Store(dest, cfg.outbox_key).close()
    except OutboxError as e:
        raise KioskError(f"backup: {dest}: the copy does not open: {e}") from None
    if args.json:
        print(json.dumps({"folder": dest, "counts": counts}, ensure_ascii=False))
    else:
        print(f"backup: {dest}: " + " ".join(f"{k}={counts[k]}" for k in STATES))
    return 0
