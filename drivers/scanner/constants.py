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

# ---- the document camera (高拍仪, V4L2/UVC) ------------------------------------------------------
# A 5-megapixel camera over an A3 shooting area; the page is found on a small copy and warped at
# full size (~17 ms detection on 2592x1944: voice-handwriting.md).
CAMERA_SIZE = (2592, 1944)   # frame asked of the camera (width, height): its usual 5 MP mode
CAMERA_FOURCC = "MJPG"       # UVC cameras give full resolution only compressed (YUYV: a few fps)
CAMERA_DPI = 150             # pixels per inch on the desk at CAMERA_SIZE (A3 ≈ 16.5 in across 2592
                             # px is 157): the PDF's page size follows from it; ?dpi= calibrates it
CAMERA_WARMUP = 4            # frames dropped after opening: auto exposure and white balance settle
DETECT_WIDTH = 648           # the page is looked for on a copy this wide (a quarter of 2592)
DETECT_MIN_AREA = 0.12       # a page covers at least this share of the frame (an ID card on A3: ~0.07
                             # would need a closer mount; smaller shapes are text blocks or shadows)
DETECT_BORDER = 0.01         # a corner this close to the frame's edge (share of the side): the page
                             # is cut by the edge of the shooting area, and cutting it would lose text
DETECT_MIN_CONTRAST = 12    # paper is this much brighter (0..255) than what Otsu put beside it, or
                             # the split is only the lamp's falloff on a bare desk
DETECT_EPSILON = 0.02        # polygon approximation tolerance, share of the outline's length
CORNER_REFINE_PX = 11        # corners refined at full size in a window this wide (cornerSubPix)
A4_SNAP = 0.04               # measured sides within 4 % of A4's √2 ratio are made exactly A4
