"""kiosk-admin devices: USB printers are found by id (and by printer class) in a sysfs tree, and
the ids agree with the udev rules (checked in test_deploy_units)."""
from kiosk.field import usb_ids
from kiosk.field.devices_probe import usb_printers


def fake_usb(root, name, vid, pid, *, product="", manufacturer="", iface_class=None):
    d = root / "bus/usb/devices" / name
    d.mkdir(parents=True)
    (d / "idVendor").write_text(f"{vid:04x}\n")
    (d / "idProduct").write_text(f"{pid:04x}\n")
    if product:
        (d / "product").write_text(product + "\n")
    if manufacturer:
        (d / "manufacturer").write_text(manufacturer + "\n")
    if iface_class is not None:
        i = root / "bus/usb/devices" / f"{name}:1.0"
        i.mkdir()
        (i / "bInterfaceClass").write_text(f"{iface_class:02x}\n")
        (d / f"{name}:1.0").symlink_to(i)


def test_known_and_unknown_printers_and_other_devices(tmp_path):
    fake_usb(tmp_path, "1-1", 0x0416, 0x5011, product="POS80 Printer", manufacturer="Winbond", iface_class=7)
    fake_usb(tmp_path, "1-2", 0x1234, 0xABCD, product="Mystery Printer", iface_class=7)
    fake_usb(tmp_path, "1-3", 0x046D, 0xC52B, product="Receiver", iface_class=3)  # a mouse receiver
    found, problems = usb_printers(str(tmp_path))
    assert problems == []
    by_url = {f.url: f for f in found}
    assert set(by_url) == {"usb://0x0416:0x5011", "usb://0x1234:0xabcd"}
    known = by_url["usb://0x0416:0x5011"]
    assert known.usable and "Winbond POS80 Printer [0416:5011]" == known.description
    unknown = by_url["usb://0x1234:0xabcd"]
    assert not unknown.usable and "99-kiosk.rules" in unknown.detail


def test_no_sysfs_is_a_problem_not_a_crash(tmp_path):
    found, problems = usb_printers(str(tmp_path / "nothing"))
    assert found == [] and "cannot be listed" in problems[0]


def test_the_design_example_printer_is_known():
    assert usb_ids.usb_url(0x0416, 0x5011) == "usb://0x0416:0x5011"
    assert (0x0416, 0x5011) in usb_ids.PRINTERS


def test_document_cameras_are_listed_by_their_stable_link(tmp_path):
    """A UVC camera makes a capture node (index 0) and a metadata node; only the first is a camera,
    named by its /dev/v4l/by-id link when udev made one."""
    from kiosk.field.devices_probe import cameras

    sysfs, dev = tmp_path / "sys", tmp_path / "dev"
    for node, index, name in (("video0", "0", "HD Document Camera"), ("video1", "1", "HD Document Camera"),
                              ("video2", "0", "Other Cam")):
        d = sysfs / "class/video4linux" / node
        d.mkdir(parents=True)
        (d / "index").write_text(index + "\n")
        (d / "name").write_text(name + "\n")
        (dev / node).parent.mkdir(parents=True, exist_ok=True)
        (dev / node).touch()
    (dev / "v4l/by-id").mkdir(parents=True)
    (dev / "v4l/by-id/usb-Eloam_HD_Document_Camera-video-index0").symlink_to(dev / "video0")
    found, problems = cameras(str(sysfs), str(dev))
    assert problems == []
    assert [(f.kind, f.url, f.description) for f in found] == [
        ("camera", f"v4l2://{dev}/v4l/by-id/usb-Eloam_HD_Document_Camera-video-index0", "HD Document Camera"),
        ("camera", f"v4l2://{dev}/video2", "Other Cam")]
    assert cameras(str(tmp_path / "none"), str(dev)) == ([], [])
