"""The twin's wire side: a TCP printer (port 9100 or any) and a serial one on a pseudo-terminal.
Each job (ESC @ … cut) is recorded and rendered, off the wire thread, to NNNN.png and NNNN.txt."""
from __future__ import annotations

import dataclasses
import os
import pty
import queue
import select
import socket
import tempfile
import threading
import tty

from drivers.printer.constants import PAPER
from drivers.printer.status import PrinterStatus
from drivers.printer.twin.interpreter import Interpreter
from drivers.printer.twin.paper import Item, Paper, render, text_dump

_ERROR_BITS = {"recoverable": 0x04, "autocutter": 0x08, "unrecoverable": 0x20, "auto_recoverable": 0x40, "unknown": 0}


def status_bytes(status: PrinterStatus) -> dict[int, int] | None:
    """The bytes a printer in `status` answers to DLE EOT 1..4 (None: it stays silent)."""
    r = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
    code = status.code
    if code == "no_answer":
        return None
    if code == "paper_near_end":
        r[4] = 0x1E
    elif code == "paper_out":
        r.update({1: 0x1A, 2: 0x32, 4: 0x7E})
    elif code == "cover_open":
        r.update({1: 0x1A, 2: 0x16})
    elif code == "offline":
        r[1] = 0x1A
    elif code == "error":
        r.update({1: 0x1A, 2: 0x52, 3: 0x12 | _ERROR_BITS[status.kind]})
    return r


@dataclasses.dataclass
class TwinJob:
    number: int
    items: list[Item]
    status_at_end: str
    interrupted: bool            # the state stopped printing part-way (or before it began)
    size: int                    # bytes received
    text: str = ""
    png_path: str = ""
    txt_path: str = ""

    @property
    def qr_payloads(self) -> list[str]:
        return [it.text for it in self.items if it.kind == "qr"]


class _Session:
    """One connection's (or the pty's) stream: commands in, status answers out."""

    def __init__(self, twin: "PrinterTwin"):
        self.twin = twin
        self.interp = Interpreter()
        self.paper: Paper | None = None
        self.size = 0
        self.lines = 0
        self.interrupted = False

    def receive(self, data: bytes) -> bytes:
        reply = bytearray()
        for cmd in self.interp.feed(data):
            t = self.twin
            if cmd.name == "status":
                answer = t._answer(cmd.args[0])
                if answer is not None:
                    reply.append(answer)
                continue
            if self.paper is None:  # ESC @ starts a job; so do bytes that come without one
                self.paper = Paper(t.width_dots, t.width_chars)
                self.size, self.lines, self.interrupted = 0, 0, False
            self.size += cmd.length
            if cmd.name == "lf":
                self.lines += 1
                t._line_printed()
            status = t.status
            if not status.printable and not self.interrupted:
                self.paper.stopped(str(status))  # what follows is lost, as on a real printer
                self.interrupted = True
            if cmd.name == "cut":
                if not self.interrupted:
                    self.paper.apply(cmd)
                t._job_done(self.paper, str(status), self.interrupted, self.size)
                self.paper = None
            elif not self.interrupted:
                self.paper.apply(cmd)
        return bytes(reply)


class PrinterTwin:
    """State, recording and rendering shared by the TCP and serial twins."""

    def __init__(self, *, paper: int = 80, out_dir: str | None = None, status: str | PrinterStatus = "ready"):
        spec = PAPER[paper]
        self.paper_mm, self.width_dots, self.width_chars = paper, spec["width_dots"], spec["width_chars"]
        self.out_dir = out_dir or tempfile.mkdtemp(prefix="printer-twin-")
        os.makedirs(self.out_dir, exist_ok=True)
        self._lock = threading.Condition()
        self._status = status if isinstance(status, PrinterStatus) else PrinterStatus.parse(status)
        self._pending: tuple[PrinterStatus, int] | None = None
        self.jobs: list[TwinJob] = []
        self._received = 0
        self.queries = 0
        self._renders: queue.Queue = queue.Queue()
        self._renderer = threading.Thread(target=self._render_loop, name="printer-twin-render", daemon=True)
        self._renderer.start()
        self.url = ""

    # ---- run-time control --------------------------------------------------------------------
    @property
    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status

    def set_status(self, status: str | PrinterStatus, *, after_lines: int | None = None) -> None:
        """Change the state now, or once `after_lines` more lines have been printed (mid-job)."""
        s = status if isinstance(status, PrinterStatus) else PrinterStatus.parse(status)
        with self._lock:
            if after_lines is None:
                self._status, self._pending = s, None
            else:
                self._pending = (s, after_lines)

    def _line_printed(self) -> None:
        with self._lock:
            if self._pending is not None:
                s, n = self._pending
                if n <= 1:
                    self._status, self._pending = s, None
                else:
                    self._pending = (s, n - 1)

    def _answer(self, n: int) -> int | None:
        with self._lock:
            self.queries += 1
            answers = status_bytes(self._status)
        return None if answers is None else answers.get(n, 0x12)

    # ---- jobs --------------------------------------------------------------------------------
    def _job_done(self, paper: Paper, status: str, interrupted: bool, size: int) -> None:
        paper.flush()
        with self._lock:
            self._received += 1
            job = TwinJob(self._received, list(paper.items), status, interrupted, size)
        self._renders.put(job)

    def _render_loop(self) -> None:
        while True:
            job = self._renders.get()
            if job is None:
                return
            base = os.path.join(self.out_dir, f"job-{job.number:04d}")
            job.text = text_dump(job.items, self.width_chars)
            render(job.items, self.width_dots).save(base + ".png", optimize=False)
            with open(base + ".txt", "w", encoding="utf-8") as f:
                f.write(job.text)
            job.png_path, job.txt_path = base + ".png", base + ".txt"
            with self._lock:
                self.jobs.append(job)
                self._lock.notify_all()
            if self.on_job is not None:
                self.on_job(job)

    on_job = None  # optional callback(job) after a job is rendered (the CLI prints paths)

    def wait_for_jobs(self, count: int, timeout: float = 10.0) -> bool:
        """True once `count` jobs are recorded and rendered (a real wait on real work)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.jobs) >= count, timeout)

    @property
    def last_job(self) -> TwinJob | None:
        with self._lock:
            return self.jobs[-1] if self.jobs else None

    @property
    def last_png(self) -> str | None:
        job = self.last_job
        return job.png_path if job else None

    def stop(self) -> None:
        self._renders.put(None)
        self._renderer.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class TcpPrinterTwin(PrinterTwin):
    """A network printer on 127.0.0.1 (`port=0`: any free port). `url` is tcp://127.0.0.1:PORT."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, **kw):
        super().__init__(**kw)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(8)
        self.host, self.port = self._sock.getsockname()[:2]
        self.url = f"tcp://{self.host}:{self.port}"
        self._closing = False
        self._conns: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, name="printer-twin-tcp", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closing:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), name="printer-twin-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        session = _Session(self)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                reply = session.receive(data)
                if reply:
                    conn.sendall(reply)
        except OSError:
            return
        finally:
            self._conns.discard(conn)
            conn.close()

    def stop(self) -> None:
        self._closing = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        except OSError:
            pass
        self._sock.close()
        for c in list(self._conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)
        super().stop()


class SerialPrinterTwin(PrinterTwin):
    """A serial printer on a pseudo-terminal: `path` is the slave side the driver opens
    (`link`: also a stable symlink to it, as udev would make). `url` is serial://PATH."""

    def __init__(self, *, link: str | None = None, baud: int = 115200, **kw):
        super().__init__(**kw)
        self._master, slave = pty.openpty()
        tty.setraw(slave)  # the slave starts in cooked mode: echo and CR/LF translation
        self._slave = slave  # kept open so the master never reads EIO when the driver closes
        self.path = os.ttyname(slave)
        if link:
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(self.path, link)
            self.path = link
        self.url = f"serial://{self.path}?baud={baud}"
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._loop, name="printer-twin-pty", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        session = _Session(self)
        while True:
            r, _, _ = select.select([self._master, self._wake_r], [], [])
            if self._wake_r in r:
                return
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            reply = session.receive(data)
            if reply:
                os.write(self._master, reply)

    def stop(self) -> None:
        os.write(self._wake_w, b"x")
        self._thread.join(timeout=5)
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        super().stop()
