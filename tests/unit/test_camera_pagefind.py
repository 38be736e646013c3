"""Page detection on a document camera's frames (drivers.scanner.pagefind), on frames the twin
generates with known corners: a page turned ±15°, seen with perspective, beside a small pale note,
is found within a few pixels and flattened to the page as printed; a frame without a whole page
is a clear failure."""
import cv2
import numpy as np
import pytest
from PIL import Image

from drivers.scanner import ScanError
from drivers.scanner.camera_twin import place
from drivers.scanner.demo_pages import draw_page
from drivers.scanner.pagefind import deskew, find_page, order_corners, page_size, warp_page

TOLERANCE_PX = 4  # on a 2592x1944 frame: ~0.7 mm on the desk


@pytest.fixture(scope="module")
def pages():
    return [draw_page(i) for i in range(3)]


@pytest.mark.parametrize("angle", [-15, -8, 0, 3, 8, 15])
def test_corners_found_within_a_few_pixels(pages, angle):
    frame, truth = place(pages[abs(angle) % 3], angle=angle, dpi=125, seed=angle + 20)
    got = find_page(frame)
    assert got is not None
    assert np.abs(got - truth).max() <= TOLERANCE_PX, (got, truth)


def test_steeper_perspective_and_off_centre(pages):
    frame, truth = place(pages[2], angle=-6, tilt=0.09, shift=(-250, 60), dpi=120, seed=5)
    assert np.abs(find_page(frame) - truth).max() <= TOLERANCE_PX


def test_the_flattened_page_is_the_printed_page(pages):
    frame, _ = place(pages[0], angle=12, seed=3)
    flat = deskew(frame)
    w, h = flat.shape[1], flat.shape[0]
    assert h / w == pytest.approx(2 ** 0.5, rel=0.005)  # A4, made exact
    printed = np.asarray(pages[0].convert("L").resize((w, h), Image.BILINEAR), np.float32)
    seen = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY).astype(np.float32)
    # the same page, lit differently: the table's lines and text are where they were printed
    corr = np.corrcoef(cv2.GaussianBlur(printed, (0, 0), 2).ravel(), cv2.GaussianBlur(seen, (0, 0), 2).ravel())[0, 1]
    assert corr > 0.9, corr


@pytest.mark.parametrize("table", [170, 215])
def test_a_page_on_a_pale_table(pages, table):
    """No dark mat under the page: a light wooden or white table, paper only a little brighter."""
    frame, truth = place(pages[2], angle=8, seed=3, background=np.full((1944, 2592, 3), table, np.uint8))
    assert np.abs(find_page(frame) - truth).max() <= TOLERANCE_PX


def test_no_page_is_a_clear_failure():
    frame, _ = place(None, seed=7)  # the desk and its small note only
    assert find_page(frame) is None
    with pytest.raises(ScanError) as e:
        deskew(frame)
    assert e.value.code == "no_documents" and "no page" in str(e.value)


@pytest.mark.parametrize("table", [60, 120, 215, 250])
@pytest.mark.parametrize("seed", [0, 2])
def test_a_bare_evenly_lit_table_has_no_page(table, seed):
    """Otsu splits a bare table by the lamp's falloff alone: that is not a page."""
    frame, _ = place(None, seed=seed, background=np.full((1944, 2592, 3), table, np.uint8))
    assert find_page(frame) is None


def test_a_page_over_the_edge_of_the_shooting_area_is_not_a_page(pages):
    frame, truth = place(pages[1], shift=(900, 0), seed=8)  # a third of it off the frame
    assert truth[:, 0].max() > frame.shape[1]
    assert find_page(frame) is None


def test_a_dark_frame_has_no_page():
    assert find_page(np.zeros((1944, 2592, 3), np.uint8)) is None
    assert find_page(np.full((1944, 2592, 3), 255, np.uint8)) is None


def test_twin_frames_are_deterministic(pages):
    a, ca = place(pages[0], angle=5, seed=1)
    b, cb = place(pages[0], angle=5, seed=1)
    assert np.array_equal(a, b) and np.array_equal(ca, cb)


def test_corner_order_and_size_of_a_landscape_quad():
    quad = order_corners(np.array([[900, 100], [100, 120], [110, 690], [905, 680]], np.float32))
    assert quad.tolist() == [[100, 120], [900, 100], [905, 680], [110, 690]]
    w, h = page_size(quad)
    assert w > h and w / h == pytest.approx(2 ** 0.5, rel=0.005)  # near A4 landscape: snapped
    card = np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32)  # an ID card (85.6 x 54 mm)
    assert page_size(card) == (856, 540)  # not A4: kept as measured
    assert warp_page(np.zeros((600, 900, 3), np.uint8), card).shape[:2] == (page_size(card)[1], page_size(card)[0])
