"""Every fixed number of the scanner driver and material processing, with why."""
from __future__ import annotations

DEFAULT_DPI = 200          # legible for forms and certificates; A4 is 1654 x 2339 pixels
MAX_PAGES = 50             # one material; more is a mistake at the feeder, not a document
PREVIEW_WIDTH = 320        # on-screen thumbnail of each page, in pixels

# Processing for legibility and size (per page, A4 at 200 dpi: target ≤ 300 ms and ≤ 300 KB)
PAPER_THRESHOLD = 150      # brighter than this (0..255) is paper, darker is the scanner lid/bed
PAPER_MIN_FILL = 0.5       # a row/column belongs to the page when half its pixels are paper
CROP_INSET_PX = 4          # cut 0.5 mm inside the found edge: the edge is found on a small copy,
                           # and a dark sliver of scanner bed left at a border costs bytes and looks dirty
CROP_PROBE_WIDTH = 400     # the page edges are found on a copy this wide (speed; ±1 px at full size is fine)
INK_CUTOFF = 0.1           # % of the darkest pixels clipped to black (ink is a small share of a page)
PAPER_CUTOFF = 5           # % of the brightest pixels clipped to white (paper is most of a page)
WHITE_POINT = 215          # after the stretch, lighter than this becomes pure white: paper texture
                           # and scanner noise cost JPEG bytes and help nobody read the page
PAPER_MAX_SATURATION = 24  # colour pages: a bright pixel is paper only if its channels differ
                           # by less than this (0..255); skin and pale stamps differ by more
JPEG_QUALITY_GRAY = 55     # text stays sharp at 200 dpi; ~120-220 KB per A4 page
JPEG_QUALITY_COLOR = 55    # colour pages (certificates, photos, seals); 4:2:0 chroma

# A scan runs in a child process (libsane backends can hang in C, where no thread can stop them):
# past this the child is killed and the scan fails as io_error. Generous: a real feeder is slow.
SCAN_TIMEOUT_S = 60.0      # the first page, including opening the device
SCAN_TIMEOUT_PER_PAGE_S = 20.0

# SANE: status strings from sane_strstatus() → our closed set of scanner statuses
SANE_MESSAGES = {
    "Device busy": "busy",
    "Document feeder jammed": "jammed",
    "Document feeder out of documents": "no_documents",
    "Scanner cover is open": "cover_open",
    "Error during device I/O": "io_error",
    "Out of memory": "io_error",
    "Access to resource has been denied": "io_error",
}
