"""kiosk-admin provision / devices / selftest / diagnostics / catalog update / catalog rollback:
the technician's field commands. This module parses and prints; kiosk/field/ does the work."""
from __future__ import annotations

import argparse
import json
import sys

_MARK = {"pass": " ok ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def register(sub, groups) -> None:
    p = sub.add_parser("provision", help="make this kiosk's config, outbox key and PIN hash from a site template",
                       description="Write DIR/kiosk.toml from a site template with the kiosk id and the technician "
                                   "PIN's scrypt hash filled in, create the outbox key DIR/outbox.key (0600), and with "
                                   "--csr a client key and a certificate signing request for mTLS in DIR/tls/. "
                                   "Refuses to replace an existing outbox key: a lost key means queued applications "
                                   "can never be sent.")
    p.add_argument("--site", required=True, metavar="TEMPLATE", help="site template, e.g. /opt/kiosk/share/sites/dachang-hall-01.toml")
    p.add_argument("--kiosk-id", required=True, metavar="ID", help="this kiosk's id, e.g. dachang-hall-02")
    p.add_argument("--out", required=True, metavar="DIR", help="where to write (on a kiosk: /etc/kiosk)")
    p.add_argument("--pin-stdin", action="store_true", help="read the technician PIN (4–12 digits) from stdin instead of asking twice")
    p.add_argument("--csr", action="store_true", help="also make a client key and CSR for mTLS (DIR/tls/ID.key, ID.csr)")
    keys = p.add_mutually_exclusive_group()
    keys.add_argument("--keep-key", action="store_true", help="re-provision with the existing outbox key (queued data stays readable)")
    keys.add_argument("--force", action="store_true", help="replace an existing config and outbox key (the old key is kept beside it)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=provision)

    sp = sub.add_parser("set-pin", help="set the technician PIN again (an outdated hash, a forgotten PIN)",
                        description="Replace technician.pin_hash in the site config (default: as kiosk-admin "
                                    "--config) with a new PIN's scrypt hash; nothing else in the file changes. "
                                    "Needed once on a kiosk whose PIN hash was made at the old, lower cost: the "
                                    "maintenance screen says so. Restart kiosk.service afterwards.")
    sp.add_argument("--config", default=argparse.SUPPRESS, help="site config (default: as kiosk-admin --config)")
    sp.add_argument("--pin-stdin", action="store_true", help="read the PIN (4–12 digits) from stdin instead of asking twice")
    sp.set_defaults(func=set_pin)

    d = sub.add_parser("devices", help="list the serial ports, card readers, USB printers and scanners found",
                       description="Find the devices plugged into this kiosk and the device URL the site config would "
                                   "use for each. Serial ports behind a known USB bridge (and /dev/kiosk-idreader) are "
                                   "asked for their SAM status; other ports only with --probe PORT or --probe-all "
                                   "(a SAM command sent to a printer's port prints garbage).")
    d.add_argument("--probe", action="append", default=[], metavar="PORT", help="also ask this serial port for a SAM (repeatable)")
    d.add_argument("--probe-all", action="store_true", help="ask every serial port for a SAM")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=devices)

    s = sub.add_parser("selftest", help="check devices, jurisdictions, disk, clock and outbox (exit 0 only if all pass)",
                       description="Check each configured device, each jurisdiction endpoint (TLS handshake, "
                                   "credentials accepted, status operation answers), disk space, the clock and the "
                                   "outbox (dead items, oldest queued). Every failure says what to check. Exit 0 only "
                                   "when every check passes (warnings pass). Stop kiosk.service first on a running "
                                   "kiosk: the app holds the devices.")
    s.add_argument("--config", default=argparse.SUPPRESS, help="site config (default: as kiosk-admin --config)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=selftest)

    g = sub.add_parser("diagnostics", help="write a support bundle (tar.gz) with nothing personal in it",
                       description="Write a tar.gz for the support desk: config without secrets, the recent logs "
                                   "(masked), journal of the kiosk units, outbox counts, the device list and versions. "
                                   "No personal data, keys, credentials or scans.")
    g.add_argument("--out", required=True, metavar="FILE.tar.gz")
    g.add_argument("--config", default=argparse.SUPPRESS, help="site config (default: as kiosk-admin --config)")
    g.add_argument("--selftest", action="store_true", help="run the selftest and include its result")
    g.add_argument("--json", action="store_true")
    g.set_defaults(func=diagnostics)

    cu = groups["catalog"].add_parser("update", help="validate a new catalog and make it current (the old one is kept)",
                                      description="Validate FILE; if it is good, install it under the data folder and "
                                                  "swap it in atomically. The catalog it replaces is kept for "
                                                  "`kiosk-admin catalog rollback`. A bad file changes nothing.")
    cu.add_argument("file", metavar="FILE")
    cu.add_argument("--json", action="store_true")
    cu.set_defaults(func=catalog_update)
    cr = groups["catalog"].add_parser("rollback", help="go back to the catalog before the last update",
                                      description="Swap the current and the previous catalog (a second rollback undoes the first).")
    cr.add_argument("--json", action="store_true")
    cr.set_defaults(func=catalog_rollback)


def _config(args):
    from kiosk.config import load_config

    return load_config(getattr(args, "config", None), demo=getattr(args, "demo", False))


def _quiet_drivers() -> None:
    """Selftest and diagnostics report every device problem themselves; the drivers' own warnings
    would say it twice and break the one-line-on-stderr rule. KIOSK_LOG_LEVEL still wins."""
    import logging
    import os

    if "KIOSK_LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(logging.CRITICAL)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


# ---- provision -----------------------------------------------------------------------------------
def provision(args) -> int:
    from kiosk.field.provision import provision as do_provision

    pin = _read_pin(args.pin_stdin)
    r = do_provision(args.site, args.kiosk_id, args.out, pin, force=args.force, keep_key=args.keep_key, csr=args.csr)
    if args.json:
        import dataclasses
        _print_json(dataclasses.asdict(r))
        return 0
    print(f"provisioned kiosk {r.kiosk_id} into {args.out}")
    print(f"  config      {r.config_path}  (0640)")
    print(f"  outbox key  {r.key_path}  (0600, {r.key_state})")
    print("  PIN         stored as an scrypt hash only")
    if r.client_key:
        print(f"  client key  {r.client_key}  (0600)")
        print(f"  CSR         {r.csr}  → send it to the jurisdictions' CA; put the signed certificate at {r.client_cert}")
    for c in r.copied:
        print(f"  copied      {c}")
    if not r.owner_set:
        print("  owner       unchanged (not root, or no `kiosk` user yet: run deploy/install.sh first on a kiosk)")
    if r.still_needed:
        print("still needed before selftest can pass:")
        for path, what in r.still_needed:
            print(f"  {path}  ({what})")
    print(f"next: kiosk-admin selftest --config {r.config_path}")
    return 0


def set_pin(args) -> int:
    import os

    from kiosk.config import DEFAULT_PATH
    from kiosk.errors import UsageError
    from kiosk.field.provision import set_pin as do_set_pin

    if getattr(args, "demo", False) and not getattr(args, "config", None):
        raise UsageError("set-pin: the demo site's PIN is fixed (246810); give --config FILE")
    path = getattr(args, "config", None) or os.environ.get("KIOSK_CONFIG", DEFAULT_PATH)
    pin = _read_pin(args.pin_stdin)
    done = do_set_pin(path, pin)
    print(f"technician PIN set in {done} (stored as an scrypt hash only); restart kiosk.service to use it")
    return 0


def _read_pin(from_stdin: bool) -> str:
    import getpass

    from kiosk.errors import UsageError

    if from_stdin:
        pin = sys.stdin.readline().strip()
        if not pin:
            raise UsageError("--pin-stdin: no PIN on stdin")
        return pin
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask the technician PIN on: give it on stdin with --pin-stdin")
    first = getpass.getpass("technician PIN (4–12 digits): ")
    second = getpass.getpass("the same PIN again: ")
    if first != second:
        raise UsageError("the two PINs differ; nothing was written")
    return first


# ---- devices -----------------------------------------------------------------------------------------
_KIND = {"idreader": "ID card reader", "sscard": "card reader", "printer": "printer", "scanner": "scanner",
         "camera": "document camera", "serial": "serial port"}


def devices(args) -> int:
    from kiosk.field.devices_probe import probe_all

    r = probe_all(probe_ports=tuple(args.probe), probe_every_port=args.probe_all)
    if args.json:
        _print_json(r.as_dict())
        return 0
    if not r.found:
        print("no devices found")
    for f in r.found:
        print(f"{_KIND.get(f.kind, f.kind):<15} {f.url or '-':<44} {f.description}")
        if f.detail:
            print(f"{'':<15} {'':<44} {f.detail}")
    if r.problems:
        print("\nproblems:")
        for p in r.problems:
            print(f"  {p}")
    firsts: dict[str, str] = {}
    for f in r.found:
        if f.usable and f.url and f.kind in ("idreader", "sscard", "printer", "scanner", "camera"):
            firsts.setdefault(f.kind, f.url)
    if firsts:
        print("\nfor the site config:\n[devices]")
        for k, v in firsts.items():
            print(f'{k} = "{v}"')
    return 0


# ---- selftest ------------------------------------------------------------------------------------------
def selftest(args) -> int:
    from kiosk.errors import KioskError
    from kiosk.field.selftest import passed, run_selftest

    cfg = _config(args)
    _quiet_drivers()
    checks = run_selftest(cfg)
    failed = [c for c in checks if c.failed]
    if args.json:
        _print_json({"kiosk_id": cfg.kiosk_id, "ok": passed(checks), "checks": [c.as_dict() for c in checks]})
    else:
        print(f"selftest of kiosk {cfg.kiosk_id} ({cfg.path})")
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"  {_MARK[c.status]}  {c.name:<{width}}  {c.detail}")
            if c.fix and c.status in ("fail", "warn"):
                print(f"        {'':<{width}}  → {c.fix}")
        n_warn = sum(c.status == "warn" for c in checks)
        n_skip = sum(c.status == "skip" for c in checks)
        if not failed:
            extra = ", ".join(x for x in (f"{n_warn} warning(s)" if n_warn else "", f"{n_skip} skipped" if n_skip else "") if x)
            print(f"all {len(checks) - n_skip} checks passed" + (f" ({extra})" if extra else ""))
    if failed:
        sys.stdout.flush()
        raise KioskError(f"selftest: {len(failed)} of {len(checks)} checks failed: {', '.join(c.name for c in failed)}")
    return 0


# ---- diagnostics -------------------------------------------------------------------------------------------
def diagnostics(args) -> int:
    from kiosk.errors import ConfigError, UsageError
    from kiosk.field.devices_probe import probe_all
    from kiosk.field.diagnostics import build_bundle

    if not args.out.endswith((".tar.gz", ".tgz")):
        raise UsageError(f"--out {args.out}: the bundle is a .tar.gz")
    _quiet_drivers()
    try:
        cfg, err = _config(args), None
    except ConfigError as e:
        # a broken config is a reason to collect diagnostics, not to stop: every problem found
        cfg, err = None, "\n".join(str(p) for p in getattr(e, "problems", [e]))
    selftest = None
    if args.selftest and cfg is not None:
        from kiosk.field.selftest import run_selftest
        selftest = lambda: run_selftest(cfg)
    names = build_bundle(cfg, args.out, config_error=err, devices=lambda: probe_all().as_dict(),
                         outbox_counts=(lambda: _outbox_counts(cfg)) if cfg else None, selftest=selftest)
    if args.json:
        _print_json({"out": args.out, "members": names})
    else:
        print(f"wrote {args.out} ({len(names)} files; no personal data):")
        for n in names:
            print(f"  {n.split('/', 1)[1]}")
    return 0


def _outbox_counts(cfg) -> dict:
    """Counts by state and jurisdiction, and the oldest queued item's age: never an item's data."""
    import os

    from kiosk.outbox import OUTBOX_DIR, open_store

    if not os.path.isdir(os.path.join(cfg.data_folder, OUTBOX_DIR)):
        return {"note": f"no outbox in {cfg.data_folder} yet"}  # diagnostics never create one
    store = open_store(cfg)
    try:
        return store.stats()
    finally:
        store.close()


# ---- catalog update / rollback ----------------------------------------------------------------------------
def catalog_update(args) -> int:
    from kiosk.field import catalog_store

    cfg = _config(args)
    r = catalog_store.update(cfg.data_folder, args.file, pinned=cfg.catalog)
    return _print_swap(args, r, "updated")


def catalog_rollback(args) -> int:
    from kiosk.field import catalog_store

    cfg = _config(args)
    r = catalog_store.rollback(cfg.data_folder, pinned=cfg.catalog)
    return _print_swap(args, r, "rolled back")


def _print_swap(args, r, verb: str) -> int:
    if args.json:
        import dataclasses
        _print_json(dataclasses.asdict(r))
        return 0
    print(f"catalog {verb}: {r.matters} matters (sha256 {r.sha256[:12]}…)")
    print(f"  current   {r.current}")
    if r.previous:
        print(f"  previous  {r.previous}  (`kiosk-admin catalog rollback` goes back to it)")
    if r.pinned_by_config:
        print(f"warning: the site config sets data.catalog = {r.pinned_by_config}, which stays in use; "
              "remove that key to use the installed catalog", file=sys.stderr)
    print("the app reads the catalog at start: `systemctl restart kiosk` to use it now")
    return 0
