"""[devices] camera and camera_materials: a document camera beside the scanner, for the materials
a technician lists; every mistake named with its key and line."""
import pytest

from kiosk.config import DEMO_SITE, ConfigProblems, parse_config


def _site(devices: str) -> str:
    text = DEMO_SITE.read_text(encoding="utf-8")
    start = text.index("[devices]")
    end = text.index("\n[", start + 1)
    return text[:start] + "[devices]\n" + devices + text[end:]


def _problems(devices: str) -> str:
    with pytest.raises(ConfigProblems) as e:
        parse_config(_site(devices), "site.toml", demo=True)
    return str(e.value)


def test_the_demo_scans_hukou_with_the_camera():
    c = parse_config(DEMO_SITE.read_text(encoding="utf-8"), str(DEMO_SITE), demo=True).devices
    assert (c.scanner, c.camera, c.camera_materials) == ("sim://scanner", "sim://camera", ("hukou",))


def test_no_camera_keeps_one_scanner():
    c = parse_config(_site('scanner = "sane://test:0"\n'), "site.toml", demo=True).devices
    assert (c.camera, c.camera_materials) == (None, ())


@pytest.mark.parametrize("devices", ['camera = "v4l2:///dev/video0"\ncamera_materials = ["id_card", "hukou"]\n',
                                     'camera = "v4l2:///dev/v4l/by-id/usb-cam-video-index0?dpi=160"\n',
                                     'scanner = "v4l2:///dev/video0"\n',  # a kiosk whose only scanner is a camera
                                     'camera = "frames:///srv/recorded"\ncamera_materials = ["*"]\n'])
def test_accepted(devices):
    parse_config(_site(devices), "site.toml", demo=True)


@pytest.mark.parametrize("devices, reason", [
    ('camera = "sane://test:0"\n', "devices.camera: a camera cannot be sane://"),
    ('camera = "sim://scanner"\n', "sim://scanner is not a camera: use sim://camera"),
    ('camera = "v4l2://video0"\n', "a v4l2 URL names a video device"),
    ('camera = "v4l2:///dev/video0"\ncamera_materials = "hukou"\n', "devices.camera_materials: must be a list"),
    ('camera = "v4l2:///dev/video0"\ncamera_materials = ["户口 簿"]\n', "must list material codes as in the catalog"),
    ('camera_materials = ["hukou"]\n', "but devices.camera is not set"),
])
def test_refused_with_key_and_reason(devices, reason):
    said = _problems(devices)
    assert reason in said and "site.toml:" in said
