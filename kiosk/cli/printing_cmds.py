"""kiosk-admin print-test, printer-status, scan and `sim printer`: the receipt printer and the scanner."""
from __future__ import annotations

import json
import sys

SIM_PRINTER_HELP = """\
Runs a simulated ESC/POS printer until Ctrl-C / SIGTERM / `quit`.
stdout line 1: the printer's URL (tcp://127.0.0.1:PORT, or serial:///dev/pts/N with --serial).
stdout line 2: `control tcp://127.0.0.1:CPORT`: a line-based control port.
Then one line per job: `job N ok|interrupted(STATUS) PNG TXT`.
Control commands (on stdin, or on the control port, one per line; each answered with one line):
  status S             set the state now: ready, paper_near_end, paper_out, cover_open, offline,
                       error(KIND) (recoverable, autocutter, unrecoverable, auto_recoverable), no_answer
  status S after N     change to S once N more lines have printed (a fault in the middle of a job)
  show                 the state and the number of jobs
  quit                 stop the printer
"""


def register(sub, groups) -> None:
    p = sub.add_parser("print-test", help="print a test receipt (Chinese text, a QR code, a cut)",
                       description="Print a test receipt. A printer that is not ready: exit 1 and one line "
                                   "naming its status in Chinese and English (e.g. 缺纸 / paper out).")
    p.add_argument("--device", metavar="URL", help="printer URL (default: the site config's devices.printer)")
    p.add_argument("--paper", type=int, choices=(58, 80), help="paper width in mm (default: site config, else 80)")
    p.add_argument("--out", metavar="DIR", help="sim://printer only: where the twin writes the PNG and text dump")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.set_defaults(func=print_test)

    p = sub.add_parser("printer-status", help="ask the printer for its status (DLE EOT)",
                       description="Ask the printer for its status. Exit 0 when the printer answered (whatever "
                                   "the status), 1 when it did not answer.")
    p.add_argument("--device", metavar="URL", help="printer URL (default: the site config's devices.printer)")
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.set_defaults(func=printer_status)

    p = sub.add_parser("scan", help="scan one material into one PDF",
                       description="Scan pages into one PDF (processed like a resident's material).")
    p.add_argument("--device", metavar="URL", help="scanner URL: sane://DEVICE, sim://scanner, folder:///PATH "
                                                   "(default: the site config's devices.scanner)")
    p.add_argument("--out", metavar="FILE.pdf", required=True)
    p.add_argument("--pages", type=int, default=1, metavar="N", help="pages to scan (default 1)")
    p.add_argument("--dpi", type=int, default=200, metavar="D", help="resolution (default 200)")
    p.add_argument("--color", action="store_true", help="keep colour (default: grayscale)")
    p.add_argument("--material", default="扫描材料", help="the material's name (default 扫描材料)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=scan)

    p = groups["sim"].add_parser("printer", help="run a simulated receipt printer (TCP or serial)",
                                 description=SIM_PRINTER_HELP,
                                 formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, default=0, help="TCP port (default: any free port; 9100 like a real one)")
    where.add_argument("--serial", action="store_true", help="a serial printer on a pseudo-terminal instead")
    p.add_argument("--link", metavar="PATH", help="with --serial: also a symlink to the pty (like a udev name)")
    p.add_argument("--status", default="ready", help="state at start (default ready)")
    p.add_argument("--paper", type=int, choices=(58, 80), default=80)
    p.add_argument("--out", metavar="DIR", help="where each job's PNG and text dump go (default: a temp folder)")
    p.set_defaults(func=sim_printer)


def _device(args, kind: str) -> str:
    from kiosk.errors import UsageError

    if args.device:
        return args.device
    import os

    if getattr(args, "config", None) or getattr(args, "demo", False) or os.environ.get("KIOSK_CONFIG"):
        from kiosk.config import load_config

        url = getattr(load_config(args.config, demo=args.demo).devices, kind)
        if url:
            return url
    raise UsageError(f"no {kind}: give --device URL (or a site config with devices.{kind})")


def _paper(args) -> int:
    if getattr(args, "paper", None):
        return args.paper
    if getattr(args, "config", None) or getattr(args, "demo", False):
        from kiosk.config import load_config

        return load_config(args.config, demo=args.demo).devices.printer_paper
    return 80


def _state_json(state) -> dict:
    return {"device": state.device, "health": state.health, "code": state.code, "zh": state.zh, "en": state.en,
            "detail": state.detail}


def print_test(args) -> int:
    from kiosk.devices.printer import make_printer
    from kiosk.errors import KioskError

    printer = make_printer(_device(args, "printer"), paper=_paper(args), out_dir=args.out)
    try:
        outcome = printer.print_test()
        png = None
        if printer.twin is not None and outcome.ok and printer.twin.wait_for_jobs(1):
            png = printer.twin.last_png
    finally:
        printer.close()
    if not outcome.ok:
        raise KioskError(f"{outcome.state.zh} / {outcome.state.en}")
    if args.json:
        print(json.dumps({"ok": True, "state": _state_json(outcome.state), "png": png}, ensure_ascii=False))
    else:
        print(f"printed: {outcome.state.zh} / {outcome.state.en}" + (f" ({png})" if png else ""))
    return 0


def printer_status(args) -> int:
    from kiosk.devices.printer import make_printer

    printer = make_printer(_device(args, "printer"))
    try:
        state = printer.state()
    finally:
        printer.close()
    if args.json:
        print(json.dumps(_state_json(state), ensure_ascii=False))
    else:
        print(f"{state.code}: {state.zh} / {state.en} ({state.detail})")
    return 1 if state.code == "no_answer" else 0


def scan(args) -> int:
    import os
    import shutil
    import tempfile

    from kiosk.devices.scanner import make_scanner
    from kiosk.errors import UsageError

    if args.pages < 1 or args.pages > 50:
        raise UsageError(f"--pages must be 1..50, not {args.pages}")
    if not args.out.lower().endswith(".pdf"):
        raise UsageError(f"--out must name a .pdf file, not {args.out}")
    scanner = make_scanner(_device(args, "scanner"), dpi=args.dpi)
    with tempfile.TemporaryDirectory(prefix="kiosk-scan-") as tmp:
        result = scanner.scan(args.material, pages=args.pages, color=args.color, out_dir=tmp)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        shutil.move(result.pdf_path, args.out)
    if args.json:
        print(json.dumps({"pdf": args.out, "pages": result.pages, "size": result.size, "sha256": result.sha256},
                         ensure_ascii=False))
    else:
        print(f"{args.out}: {result.pages} page(s), {result.size} bytes")
    return 0


def sim_printer(args) -> int:
    import signal
    import socket
    import threading

    from drivers.printer.status import PrinterStatus
    from drivers.printer.twin import SerialPrinterTwin, TcpPrinterTwin
    from kiosk.errors import UsageError

    try:
        PrinterStatus.parse(args.status)
    except ValueError as e:
        raise UsageError(f"--status: {e}") from None
    try:
        if args.serial:
            twin = SerialPrinterTwin(paper=args.paper, out_dir=args.out, status=args.status, link=args.link)
        else:
            twin = TcpPrinterTwin(port=args.port, paper=args.paper, out_dir=args.out, status=args.status)
    except OSError as e:
        from kiosk.errors import KioskError

        raise KioskError(f"sim printer: cannot start: {e}") from None
    out_lock = threading.Lock()

    def say(line: str) -> None:
        with out_lock:
            print(line, flush=True)

    def on_job(job) -> None:
        state = f"interrupted({job.status_at_end})" if job.interrupted else "ok"
        say(f"job {job.number} {state} {job.png_path} {job.txt_path}")

    twin.on_job = on_job
    stop = threading.Event()

    def command(line: str) -> str:
        words = line.split()
        if not words:
            return ""
        if words[0] == "quit":
            stop.set()
            return "ok quit"
        if words[0] == "show":
            return f"ok status={twin.status} jobs={len(twin.jobs)}"
        if words[0] == "status" and len(words) in (2, 4) and (len(words) == 2 or words[2] == "after"):
            try:
                after = int(words[3]) if len(words) == 4 else None
                twin.set_status(words[1], after_lines=after)
            except ValueError as e:
                return f"error {e}"
            return f"ok status={words[1]}" + (f" after {after} lines" if after is not None else "")
        return "error unknown command (status S [after N] | show | quit)"

    ctl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ctl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ctl.bind(("127.0.0.1", 0))
    ctl.listen(4)

    def control_conn(conn) -> None:
        with conn, conn.makefile("rw", encoding="utf-8", newline="\n") as f:
            for line in f:
                reply = command(line)
                if reply:
                    f.write(reply + "\n")
                    f.flush()
                if stop.is_set():
                    return

    def control_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = ctl.accept()
            except OSError:
                return
            threading.Thread(target=control_conn, args=(conn,), daemon=True).start()

    def stdin_loop() -> None:
        for line in sys.stdin:
            reply = command(line)
            if reply:
                say(reply)
            if stop.is_set():
                return

    say(twin.url)
    say(f"control tcp://127.0.0.1:{ctl.getsockname()[1]}")
    threading.Thread(target=control_loop, daemon=True).start()
    if sys.stdin is not None and not sys.stdin.closed:
        threading.Thread(target=stdin_loop, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        ctl.close()
        twin.stop()
    return 0
