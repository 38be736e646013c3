"""Shared fixtures for the scanner tests: SANE's `test` backend in a config folder of our own,
and the generated demo documents for the image-folder twin."""
from __future__ import annotations

import os
import shutil

import pytest
from PIL import Image, ImageDraw

from drivers.fonts import sc_font


@pytest.fixture(scope="session")
def sane_test_backend(tmp_path_factory):
    """SANE_CONFIG_DIR → a folder whose dll.conf enables only `test` (test:0, test:1)."""
    from drivers.scanner import sane_scanner

    folder = tmp_path_factory.mktemp("sane.d")
    (folder / "dll.conf").write_text("test\n")
    shutil.copy("/etc/sane.d/test.conf", folder / "test.conf")
    old = os.environ.get("SANE_CONFIG_DIR")
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    sane_scanner.reset()
    yield str(folder)
    sane_scanner.reset()
    if old is None:
        os.environ.pop("SANE_CONFIG_DIR", None)
    else:
        os.environ["SANE_CONFIG_DIR"] = old


@pytest.fixture(scope="session")
def demo_pages(tmp_path_factory):
    """The three generated demo documents (户口簿, 结婚证, 劳动合同) in a folder of their own."""
    from drivers.scanner.demo_pages import generate

    folder = tmp_path_factory.getbasetemp() / "demo-pages"  # one copy, whichever module asks first
    generate(str(folder))
    return str(folder)


def page_on_bed(size=(1654, 2339), bed=(1740, 2440), offset=(38, 46), text="劳动合同 第一条 合同期限") -> Image.Image:
    """A plain A4 page at 200 dpi with a line of text, lying on a dark scanner bed."""
    page = Image.new("L", size, 235)
    ImageDraw.Draw(page).text((200, 300), text, font=sc_font(40), fill=30)
    img = Image.new("L", bed, 60)
    img.paste(page, offset)
    return img


@pytest.fixture(scope="session")
def camera_recording(tmp_path_factory):
    """The document camera twin's demo recording (an image sequence: per demo page, two darker
    settling frames then the steady one) in a folder of its own."""
    from drivers.scanner.camera_twin import demo_recording

    return demo_recording(str(tmp_path_factory.getbasetemp() / "camera-frames"))
