"""The simulated receipt printer: speaks ESC/POS over TCP or a pseudo-terminal, answers DLE EOT
from a state changed at run time, records every job and renders it to a PNG and a text dump."""
from drivers.printer.twin.server import PrinterTwin, SerialPrinterTwin, TcpPrinterTwin, TwinJob

__all__ = ["PrinterTwin", "SerialPrinterTwin", "TcpPrinterTwin", "TwinJob"]
