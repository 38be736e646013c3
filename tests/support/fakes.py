"""In-process fakes of the kiosk ports (kiosk.ports) for tests of the layers above them (use
cases, screens). The e2e journeys use the real drivers and twins; these are for fast unit tests
and for poking at one screen."""
from __future__ import annotations

import datetime as _dt
import hashlib
import os

from kiosk.identity import Identity
from kiosk.ports import DeviceState, Printed, ProgressItem, Refused, ScannedMaterial, SubmitOutcome

RESIDENT = Identity(card_type="resident", name="张三", id_number="11010519491231002X", sex="female",
                    birth_date=_dt.date(1949, 12, 31), address="北京市通州区新华大街1号",
                    valid_to=_dt.date(2036, 1, 1))


class FakeSource:
    def __init__(self, name: str = "idreader"):
        self.name = name
        self.listener = None

    def start(self, listener) -> None:
        self.listener = listener

    def stop(self) -> None:
        self.listener = None

    def state(self) -> DeviceState:
        return DeviceState(self.name, "ok", "ready")

    def place(self, identity: Identity = RESIDENT) -> None:
        self.listener.card_read(self.name, identity)

    def remove(self) -> None:
        self.listener.card_removed(self.name)


class FakePrinter:
    def __init__(self):
        self.status = "ready"
        self.printed: list = []

    def state(self) -> DeviceState:
        return DeviceState("printer", "ok" if self.status == "ready" else "fault", self.status)

    def print_receipt(self, receipt):
        if self.status != "ready":
            return Refused(self.state())
        self.printed.append(receipt)
        return Printed(self.state())

    def print_test(self):
        return (Printed if self.status == "ready" else Refused)(self.state())


class FakeScanner:
    """Scans real little PDFs (one grey JPEG a page, each scan a shade darker: `shade_of` tells
    which scan a page came from) with a PNG preview a page, as the scanner adapter does."""

    def __init__(self):
        self.scans = 0

    def state(self) -> DeviceState:
        return DeviceState("scanner", "ok", "ready")

    def scan(self, material: str, *, pages: int = 1, color: bool = False, out_dir: str) -> ScannedMaterial:
        import io
        import uuid

        import img2pdf
        from PIL import Image

        self.scans += 1
        stem = os.path.join(out_dir, f"{material}-{uuid.uuid4().hex[:8]}")
        jpegs, previews = [], []
        for i in range(pages):
            im = Image.new("L", (40, 56), 250 - 10 * (self.scans % 25))
            buf = io.BytesIO()
            im.save(buf, "JPEG")
            jpegs.append(buf.getvalue())
            im.save(f"{stem}-p{i + 1}.png")
            previews.append(f"{stem}-p{i + 1}.png")
        data = img2pdf.convert(jpegs)
        with open(stem + ".pdf", "wb") as f:
            f.write(data)
        return ScannedMaterial(material, stem + ".pdf", pages, tuple(previews), hashlib.sha256(data).hexdigest(), len(data))

    @staticmethod
    def shade_of(image) -> int:
        """Which scan a page's image came from (its grey level back to the scan count)."""
        return round((250 - image.getpixel((20, 28))) / 10)


class FakeOutbox:
    def __init__(self):
        self.up = True
        self.items: list[tuple] = []  # (tx, ProgressItem)
        self.evaluations: list = []  # kiosk.evaluation.Evaluation, as queued
        self.listeners = []

    def submit(self, tx) -> SubmitOutcome:
        item = ProgressItem(tx.id, tx.tracking_number, tx.matter_code, tx.jurisdiction, tx.created_at,
                            "delivered" if self.up else "queued")
        self.items.append((tx, item))
        return SubmitOutcome(tx.id, tx.tracking_number, self.up)

    def progress(self, *, id_number=None, tracking_number=None):
        return [it for tx, it in self.items
                if (id_number and tx.identity.id_number == id_number) or (tracking_number and it.tracking_number == tracking_number)]

    def counts(self):
        return {"queued": sum(1 for _, it in self.items if it.local_state == "queued")}

    def evaluate(self, ev):
        self.evaluations.append(ev)
        return f"ev{len(self.evaluations)}"

    def failing(self):
        return 0, None

    def retry_dead(self):
        return 0

    def query(self, jurisdiction, operation, params):
        return {"balance": "1000.00"}

    def online(self, jurisdiction):
        return self.up

    def subscribe(self, callback):
        self.listeners.append(callback)


def fake_factories() -> dict:
    """`factories=` for kiosk.bootstrap.build: every port faked."""
    return {"idreader": lambda c, k: FakeSource("idreader"), "sscard": lambda c, k: FakeSource("sscard"),
            "printer": lambda c, k: FakePrinter(), "scanner": lambda c, k: FakeScanner(),
            "outbox": lambda c, k, cat: FakeOutbox()}


# ---- 视频帮办: the VideoDesk port in-process (the e2e screens' tests and their unit tests) ----------
class FakeVideoCall:
    """One call as the port gives it (kiosk.ports.Call), driven by the test as a gateway and a clerk
    would: `queued(n)`, `answer(clerk)`, `note(text)`, `end(why)` report to the kiosk (the
    listener hops them onto the app's main thread); what the kiosk asked is recorded (`muted`,
    `hung_up`, `updates`, `shown`). `frame(side)` gives synthetic pictures: a new one at each
    ask (its number grows), the resident's own from the start, the clerk's once answered."""

    SIZES = {"remote": (320, 240), "self": (160, 120)}

    def __init__(self, desk: str, context, listener):
        self.desk, self.context, self.listener = desk, context, listener
        self.muted, self.hung_up = False, 0
        self.updates: list = []  # CallContext, one per step the resident moved to in the call
        self.shown: list = []  # SharedMaterial, one per tap
        self.live, self.answered = True, False
        self.frames_given = {"remote": 0, "self": 0}

    # the gateway's and the clerk's side (the test)
    def queued(self, position: int) -> None:
        self.listener.queued(position)

    def answer(self, clerk: str = "") -> None:
        self.answered = True
        self.listener.answered(clerk) if clerk else self.listener.answered()

    def note(self, text: str) -> None:
        self.listener.note(text)

    def end(self, why: str = "clerk") -> None:
        self.live = False
        self.listener.ended(why)

    # the kiosk's side (kiosk.ports.Call)
    def mute(self, on: bool) -> None:
        self.muted = on

    def hang_up(self) -> None:
        self.hung_up += 1
        self.live = False

    def update(self, context) -> None:
        self.updates.append(context)

    def show(self, material) -> None:
        self.shown.append(material)

    def frame(self, which: str):
        from kiosk.ports import VideoImage

        if not self.live or (which == "remote" and not self.answered):
            return None
        self.frames_given[which] += 1
        n = self.frames_given[which]
        w, h = self.SIZES[which]
        return VideoImage(w, h, synthetic_picture(w, h, n, which == "remote"), n)


def synthetic_picture(w: int, h: int, n: int, remote: bool) -> bytes:
    """rgb24, top row first: a vertical gradient (blue for the clerk, green for the resident) with
    a light band that moves down a row at each frame — every frame differs from the one before."""
    band = (n * 4) % h
    rows = []
    for y in range(h):
        if band <= y < band + 8:
            px = (240, 240, 240)
        elif remote:
            px = (20, 40 + y * 120 // h, 90 + y * 150 // h)
        else:
            px = (30, 80 + y * 150 // h, 50)
        rows.append(bytes(px) * w)
    return b"".join(rows)


class FakeVideoDesk:
    """The VideoDesk port (kiosk.ports) without a gateway: each call recorded; `down` raises as a
    gateway that cannot be reached does."""

    def __init__(self, down: bool = False):
        self.calls: list[FakeVideoCall] = []
        self.down = down

    @property
    def last(self) -> FakeVideoCall | None:
        return self.calls[-1] if self.calls else None

    def call(self, desk: str, context, listener) -> FakeVideoCall:
        if self.down:
            raise ConnectionRefusedError("gateway: connection refused")
        c = FakeVideoCall(desk, context, listener)
        self.calls.append(c)
        return c

    def close(self) -> None:
        for c in self.calls:
            c.live = False
