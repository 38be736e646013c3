"""The ESC/POS receipt printer: pure layout and encoding, sans-I/O status, thin transports, a twin.

    from drivers.printer import EscposPrinter, Receipt, profile_for, open_transport
    printer = EscposPrinter(TcpTransport("10.0.0.9", 9100), profile_for(80))
    result = printer.print_receipt(receipt)   # JobResult(ok, status, before, outcome, detail)
"""
import os as _os

from drivers.cachedir import user_cache_dir as _user_cache_dir

# python-escpos pickles its capabilities table into a fresh mkdtemp() folder on every import unless
# told where: a 70 KB file left in the temporary folder by every process, and a pickle loaded from
# a shared place. Point it at the user's own cache folder before escpos is first imported. (Its
# default argument still calls mkdtemp(), so one empty folder per process remains.)
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in _os.environ:
    try:
        _os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _user_cache_dir("escpos")
    except OSError:
        pass  # escpos falls back to its own temporary folder

from drivers.printer.driver import EscposPrinter, JobResult
from drivers.printer.layout import Receipt, layout, check_page
from drivers.printer.profiles import PrinterProfile, profile_for
from drivers.printer.status import CODES, PrinterStatus
from drivers.printer.transport import SerialTransport, TcpTransport, Transport, TransportError, UsbTransport

__all__ = ["CODES", "EscposPrinter", "JobResult", "PrinterProfile", "PrinterStatus", "Receipt",
           "SerialTransport", "TcpTransport", "Transport", "TransportError", "UsbTransport",
           "layout", "profile_for", "check_page"]
