"""USB ids of the device models this build knows. deploy/udev/99-kiosk.rules lists the same ids
(a test keeps the two in step): add a model in both places."""
from __future__ import annotations

# GA 467 ID card readers sit behind generic USB-serial bridges: these are the bridges' ids, so a
# match means "a serial port that may be the ID reader"; `kiosk-admin devices` asks the SAM.
IDREADER_BRIDGES: dict[tuple[int, int], str] = {
    (0x10C4, 0xEA60): "Silicon Labs CP210x USB-serial bridge",
    (0x1A86, 0x7523): "WCH CH340 USB-serial bridge",
    (0x067B, 0x2303): "Prolific PL2303 USB-serial bridge",
    (0x0403, 0x6001): "FTDI FT232R USB-serial bridge",
}

# ESC/POS receipt printers (热敏打印机) on USB.
PRINTERS: dict[tuple[int, int], str] = {
    (0x0416, 0x5011): "Winbond-based 58/80 mm POS printer",
    (0x0483, 0x5743): "STMicroelectronics-based POS printer (e.g. Xprinter)",
    (0x04B8, 0x0202): "Epson TM-T88/TM-T20 series",
}

USB_CLASS_PRINTER = 0x07  # any interface of this class is a printer, known model or not


def usb_url(vid: int, pid: int) -> str:
    """The device URL a site config uses for this USB printer."""
    return f"usb://0x{vid:04x}:0x{pid:04x}"
