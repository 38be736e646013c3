"""kiosk-admin read-id / read-sscard (read one card and print it) and sim idreader / sim sscard
(run a twin for a technician or a demo).

Control channel of `sim idreader` and `sim sscard`: the first stdout line is the device (the pty
path, or the PC/SC reader name); the second is `control: PATH`, a FIFO. Commands, one per line,
are read from stdin AND from that FIFO (`echo "place J-1" > PATH`); each answers one line on
stdout (`ok ...` / `error: ...`). `quit` (or SIGINT/SIGTERM) stops the twin. The command lists
are in drivers/idcard/control.py and drivers/sscard/control.py (`help` prints them):
    sim idreader: place NAME|FILE, remove, garbage, bad_checksum, no_card, read_failed, pull,
                  slow [S], mute, vanish, return, clear, status, cards, help, quit
    sim sscard:   insert [NAME|FILE], remove, pull [N], status, cards, help, quit
"""
from __future__ import annotations

import json
import sys

_DEFAULT_TIMEOUT = 30.0  # a person has to walk up and place the card


def register(sub, groups) -> None:
    p = sub.add_parser("read-id", help="wait for an ID card on the reader and print it",
                       description="Wait for a resident ID card, HK/Macao/Taiwan residence permit or "
                                   "foreigner's permanent residence card and print what it holds. Exit 1 "
                                   "when no card comes within the timeout or the reader fails.")
    p.add_argument("--device", help="serial:///dev/ttyUSB0?baud=115200, a device path, or sim://idreader?card=NAME "
                                    "(default: the site config's idreader)")
    p.add_argument("--timeout", type=float, default=_DEFAULT_TIMEOUT, help="seconds to wait for a card (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=read_id)

    p = sub.add_parser("read-sscard", help="wait for a social security card and print it",
                       description="Wait for a social security card (社保卡) in a PC/SC reader and print its "
                                   "card number, social security number, name, sex, birth date, region, "
                                   "version and dates. Exit 1 on timeout, PIN needed, not a social "
                                   "security card, or pcscd/reader trouble.")
    p.add_argument("--device", help="pcsc:// (first reader), pcsc://<reader name>, or sim://sscard?card=NAME "
                                    "(default: the site config's sscard)")
    p.add_argument("--timeout", type=float, default=_DEFAULT_TIMEOUT, help="seconds to wait for a card (default 30)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=read_sscard)

    s = groups["sim"].add_parser("idreader", help="run a simulated ID card reader on a pseudo-terminal",
                                 description="Serve the GA 467 SAM protocol on a pty. Prints the device path, "
                                             "then `control: FIFO`; takes commands on stdin and the FIFO "
                                             "(place NAME, remove, garbage, bad_checksum, no_card, read_failed, "
                                             "pull, slow S, mute, vanish, return, status, help, quit).")
    s.add_argument("--card", help="card placed at start: a sample name (resident-1, resident-2, J-1, I-1, Y-1, ...) or a JSON file")
    s.add_argument("--baud", type=int, default=115200, help="line speed to emulate (default 115200)")
    s.add_argument("--link", help="path of the symlink to the pty (default: a temporary one)")
    s.set_defaults(func=sim_idreader)

    s = groups["sim"].add_parser("sscard", help="insert a virtual social security card into pcscd (vpcd)",
                                 description="Connect a virtual card to pcscd's vpcd reader (Virtual PCD 00 00). "
                                             "Needs a running pcscd (or --start-pcscd, as root). Prints the "
                                             "reader name, then `control: FIFO`; takes commands on stdin and "
                                             "the FIFO (insert NAME, remove, pull N, status, help, quit).")
    s.add_argument("--card", help="card inserted at start: a sample name (ss-1, ss-2, ss-pin, bank-card) or a JSON file")
    s.add_argument("--start-pcscd", action="store_true", help="start a private pcscd when none runs (root)")
    s.add_argument("--slot", type=int, choices=(0, 1), default=0,
                   help="vpcd slot: 0 is reader 'Virtual PCD 00 00' (default), 1 is 'Virtual PCD 00 01'")
    s.set_defaults(func=sim_sscard)


# ---- read-id / read-sscard --------------------------------------------------------------------------
def _device(args, kind: str) -> str:
    if args.device:
        return args.device
    from kiosk.config import load_config
    from kiosk.errors import UsageError

    url = getattr(load_config(args.config, demo=args.demo).devices, kind)
    if not url:
        raise UsageError(f"no --device given and the site config has no {kind}")
    return url


def _check_timeout(args) -> None:
    from kiosk.errors import UsageError

    if not args.timeout > 0:
        raise UsageError(f"--timeout must be more than 0 seconds, not {args.timeout:g}")


def _print(d: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return
    width = max(len(k) for k in d)
    for k, v in d.items():
        if v is None:
            v = "-"
        elif isinstance(v, bool):
            v = "yes" if v else "no"
        print(f"{k:<{width}}  {v}")


def _quiet_drivers() -> None:
    # The drivers log state changes for a kiosk's journal; here the one stderr line says it all.
    import logging

    logging.getLogger("drivers").setLevel(logging.ERROR)


def read_id(args) -> int:
    from kiosk.devices.idcard import make_idreader, wait_for_card

    _check_timeout(args)
    _quiet_drivers()
    source = make_idreader(_device(args, "idreader"))
    identity = wait_for_card(source, args.timeout)
    d = identity.to_json()
    for k in ("card_number", "region_code"):
        d.pop(k, None)
    _print(d, args.json)
    return 0


def read_sscard(args) -> int:
    from kiosk.devices.idcard import make_sscard, wait_for_card

    _check_timeout(args)
    _quiet_drivers()
    source = make_sscard(_device(args, "sscard"))
    identity = wait_for_card(source, args.timeout)
    rec = source.last_record
    d = {
        "card_number": identity.card_number, "ss_number": identity.id_number, "name": identity.name,
        "sex": identity.sex, "birth_date": _iso(identity.birth_date), "region_code": identity.region_code,
        "version": getattr(rec, "version", None) or None,
        "issued": _iso(identity.valid_from), "expires": _iso(identity.valid_to),
    }
    _print(d, args.json)
    return 0


def _iso(d) -> str | None:
    return d.isoformat() if d else None


# ---- sim idreader / sim sscard -------------------------------------------------------------------------
def _serve(apply, banner: str) -> None:
    """Print the banner and the control FIFO; carry out lines from stdin and the FIFO until
    quit / SIGINT / SIGTERM. stdin at EOF (a background job) leaves the FIFO working."""
    import os
    import signal
    import tempfile
    import threading

    stop = threading.Event()
    out_lock = threading.Lock()
    folder = tempfile.mkdtemp(prefix="kiosk-sim-")
    fifo = os.path.join(folder, "control")
    os.mkfifo(fifo, 0o600)

    def say(text: str) -> None:
        if text:
            with out_lock:
                print(text, flush=True)

    def handle(line: str) -> None:
        line = line.strip()
        if line in ("quit", "exit", "stop"):
            stop.set()
        elif line:
            say(apply(line))

    def from_stdin() -> None:
        for line in sys.stdin:
            handle(line)
            if stop.is_set():
                return

    def from_fifo() -> None:
        while not stop.is_set():
            try:
                with open(fifo, encoding="utf-8") as f:  # blocks until a writer opens it
                    for line in f:
                        handle(line)
            except OSError:
                return

    old = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    say(banner)
    say(f"control: {fifo}")
    for fn in (from_stdin, from_fifo):
        threading.Thread(target=fn, daemon=True).start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)
        try:
            os.unlink(fifo)
            os.rmdir(folder)
        except OSError:
            pass


def sim_idreader(args) -> int:
    from drivers.idcard.cards import CardFileError
    from drivers.idcard.control import apply_command
    from drivers.idcard.twin import IdReaderTwin
    from kiosk.errors import UsageError

    if args.baud <= 0:
        raise UsageError(f"--baud must be positive, not {args.baud}")
    try:
        twin = IdReaderTwin(args.card or None, baud=args.baud, link=args.link)
    except CardFileError as e:
        raise UsageError(f"idreader: {e}") from None
    twin.start()
    try:
        _serve(lambda line: apply_command(twin, line), twin.path)
    finally:
        twin.stop()
    return 0


def sim_sscard(args) -> int:
    from drivers.sscard.cards import CardFileError, load_card
    from drivers.sscard.control import apply_command
    from drivers.sscard.pcscd import PcscdError, PrivatePcscd, running, vpcd_reader, wait_ready
    from drivers.sscard.twin import VPCD_PORT, SsCardTwin
    from kiosk.errors import KioskError, UsageError

    try:
        card = load_card(args.card) if args.card else None
    except CardFileError as e:
        raise UsageError(f"sscard: {e}") from None
    pcscd = PrivatePcscd()
    if not running():
        if not args.start_pcscd:
            raise KioskError("sscard: no pcscd is running; start it (as root: pcscd -f &) or use --start-pcscd")
        try:
            pcscd.start()
        except PcscdError as e:
            raise KioskError(f"sscard: {e}") from None
    reader = vpcd_reader(args.slot)
    if not wait_ready(2.0, reader):
        raise KioskError(f"sscard: pcscd runs but has no {reader!r} reader (install vsmartcard-vpcd, restart pcscd)")
    twin = SsCardTwin(card, port=VPCD_PORT + args.slot)
    if card is not None:
        twin.insert()
    try:
        _serve(lambda line: apply_command(twin, line), reader)
    finally:
        twin.close()
        pcscd.stop()
    return 0
