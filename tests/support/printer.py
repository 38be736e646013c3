"""Shared fixtures for the receipt printer tests: twins on TCP and on a pty, a sample receipt,
and a clock that moves by itself so a silent printer's timeouts pass without waiting."""
from __future__ import annotations

import datetime as dt

import pytest

from drivers.printer import EscposPrinter, Receipt, SerialTransport, TcpTransport, profile_for
from drivers.printer.twin import SerialPrinterTwin, TcpPrinterTwin

QR_PAYLOAD = "https://tb.example.cn/q/TZ2026112700017"


def sample_receipt(**changes) -> Receipt:
    fields = dict(kiosk_id="TZ-KIOSK-07", location="通州区政务服务中心", jurisdiction="三河市",
                  matter="不动产登记资料查询（骨干直通）", tracking_number="TZ2026112700017", qr_payload=QR_PAYLOAD,
                  masked_id="110105********002X", masked_name="张*", time=dt.datetime(2026, 11, 27, 9, 30),
                  materials=("户口簿", "结婚证", "劳动合同"), forwarded=False,
                  next_steps=("远程预审：3 个工作日内完成", "审核通过后，证照寄递到家"), hotline="12345")
    fields.update(changes)
    return Receipt(**fields)


class SteppingClock:
    """monotonic() that moves `step` seconds each time it is read: a timeout of T passes after
    T/step reads, however fast the machine is."""

    def __init__(self, step: float = 0.05):
        self.t, self.step, self.reads = 1000.0, step, 0

    def __call__(self) -> float:
        self.t += self.step
        self.reads += 1
        return self.t


@pytest.fixture
def tcp_twin(tmp_path):
    twin = TcpPrinterTwin(paper=80, out_dir=str(tmp_path / "receipts"))
    yield twin
    twin.stop()


@pytest.fixture
def serial_twin(tmp_path):
    twin = SerialPrinterTwin(paper=58, out_dir=str(tmp_path / "receipts"), link=str(tmp_path / "ttyPRINTER"))
    yield twin
    twin.stop()


def tcp_printer(twin, paper: int = 80, clock=None, **profile) -> EscposPrinter:
    return EscposPrinter(TcpTransport(twin.host, twin.port), profile_for(paper, **profile), monotonic=clock)


def serial_printer(twin, paper: int = 58, clock=None, **profile) -> EscposPrinter:
    return EscposPrinter(SerialTransport(twin.path), profile_for(paper, **profile), monotonic=clock)


def decode_qr(png_path: str) -> list[str]:
    from PIL import Image
    from pyzbar.pyzbar import decode

    with Image.open(png_path) as im:
        return [r.data.decode("utf-8") for r in decode(im.convert("L"))]
