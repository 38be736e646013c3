"""kiosk-desk: serve the clerk's console page (first slice: no login yet, so loopback only by
default). Exit codes as kiosk-admin: 0 stopped cleanly (SIGTERM, Ctrl-C), 1 cannot serve (the
address is taken, janus.js or adapter.js not installed), 2 bad usage; one line on stderr."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from kiosk.desk.server import DeskServer, missing


class _Usage(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        print(f"kiosk-desk: {message}", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    p = _Usage(prog="kiosk-desk", description="The 视频帮办 clerk's console (a web page).")
    p.add_argument("--listen", default="127.0.0.1:8089", help="HOST:PORT (default 127.0.0.1:8089; port 0: any)")
    a = p.parse_args(argv)
    host, _, port = a.listen.rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        print(f"kiosk-desk: --listen must be HOST:PORT, not {a.listen!r}", file=sys.stderr)
        return 2
    gone = missing()
    if gone:
        print(f"kiosk-desk: not installed: {', '.join(gone)} (Debian libjs-janus-gateway, libjs-webrtc-adapter)",
              file=sys.stderr)
        return 1
    try:
        server = DeskServer(host, int(port))
    except OSError as e:
        print(f"kiosk-desk: cannot listen on {a.listen}: {e.strerror or e}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    print(f"kiosk-desk: serving {server.url}", flush=True)
    stop.wait()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
