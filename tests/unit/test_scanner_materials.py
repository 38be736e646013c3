"""Material processing: crop to the page, grayscale or colour, compression, one PDF, page count."""
import re

import pytest
from PIL import Image

from drivers.scanner import ScanError, build_material, process_page
from drivers.scanner.materials import crop_to_page
from drivers.scanner.status import from_sane_message
from tests.support.scanner import page_on_bed


def test_crop_finds_the_page_on_the_scanner_bed():
    page = crop_to_page(page_on_bed())
    assert abs(page.width - 1654) <= 16 and abs(page.height - 2339) <= 16
    assert min(page.getdata()) < 100  # the text is still there
    assert page.crop((0, 0, page.width, 3)).getextrema()[0] > 150  # no dark bed left at the top edge


def test_a_page_with_no_bed_around_it_is_kept_whole():
    img = Image.new("L", (800, 1000), 240)
    assert crop_to_page(img).size[0] >= 790


def test_grayscale_page_has_white_paper_and_dark_text():
    page = process_page(page_on_bed(), colour=False)
    assert page.mode == "L"
    hist = page.histogram()
    assert hist[255] > 0.9 * page.width * page.height  # the grey paper became white
    assert min(page.getdata()) < 60


def test_colour_page_keeps_colour():
    img = page_on_bed().convert("RGB")
    img.paste((200, 30, 30), (600, 900, 800, 1100))  # a red seal
    page = process_page(img, colour=True)
    assert page.mode == "RGB"
    r, g, b = page.getpixel((700 - 38, 1000 - 46))
    assert r > 150 and g < 90


def test_one_pdf_with_every_page_and_previews(tmp_path):
    out = build_material([page_on_bed(), page_on_bed(text="第二页")], str(tmp_path / "m.pdf"), dpi=200,
                         colour=False, expected_pages=2, material="劳动合同")
    data = open(out.path, "rb").read()
    assert data.startswith(b"%PDF") and out.pages == 2 and out.size == len(data)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 2
    assert len(out.previews) == 2 and all(Image.open(p).width <= 320 for p in out.previews)
    assert out.size < 2 * 300_000
    assert not (tmp_path / "m.pdf.part").exists()


def test_page_count_must_match_what_the_material_asks_for(tmp_path):
    with pytest.raises(ScanError) as e:
        build_material([page_on_bed()], str(tmp_path / "m.pdf"), dpi=200, colour=False, expected_pages=2)
    assert e.value.code == "page_count"
    assert not (tmp_path / "m.pdf").exists()


@pytest.mark.parametrize("message,code", [("Document feeder jammed", "jammed"), ("Device busy", "busy"),
                                          ("Scanner cover is open", "cover_open"),
                                          ("Document feeder out of documents", "no_documents"),
                                          ("Error during device I/O", "io_error"), ("Something new", "io_error")])
def test_sane_messages_map_to_our_statuses(message, code):
    assert from_sane_message(message) == code


def test_opening_an_unknown_device_is_no_device():
    assert from_sane_message("Invalid argument", opening=True) == "no_device"
    assert from_sane_message("Invalid argument") == "io_error"
