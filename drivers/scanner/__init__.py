"""Document scanning: SANE scanners (python-sane), an image-folder twin, and material processing
(one PDF per material, img2pdf). Errors are ScanError(code) with code in status.CODES."""
from drivers.scanner.folder import FolderScanner
from drivers.scanner.materials import MaterialPDF, build_material, process_page
from drivers.scanner.sane_scanner import SaneScanner, list_devices
from drivers.scanner.status import CODES, ScanError

__all__ = ["CODES", "FolderScanner", "MaterialPDF", "SaneScanner", "ScanError", "build_material",
           "list_devices", "process_page"]
