"""The ESC/POS receipt printer: pure layout and encoding, sans-I/O status, thin transports, a twin.

    from drivers.printer import EscposPrinter, Receipt, profile_for, open_transport
    printer = EscposPrinter(TcpTransport("10.0.0.9", 9100), profile_for(80))
    result = printer.print_receipt(receipt)   # JobResult(ok, status, before, outcome, detail)
"""
from drivers.printer.driver import EscposPrinter, JobResult
from drivers.printer.layout import Receipt, layout, check_page
from drivers.printer.profiles import PrinterProfile, profile_for
from drivers.printer.status import CODES, PrinterStatus
from drivers.printer.transport import SerialTransport, TcpTransport, Transport, TransportError, UsbTransport

__all__ = ["CODES", "EscposPrinter", "JobResult", "PrinterProfile", "PrinterStatus", "Receipt",
           "SerialTransport", "TcpTransport", "Transport", "TransportError", "UsbTransport",
           "layout", "profile_for", "check_page"]
