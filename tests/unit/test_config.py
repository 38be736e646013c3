"""Site config: the examples load; every kind of bad file is refused with file:line: key: reason."""
import glob
import subprocess
import sys

import pytest

from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError

GOOD = '''
[kiosk]
id = "dachang-hall-01"
site = "大厂"
site_jurisdiction = "dachang"
[data]
folder = "/var/lib/kiosk"
outbox_key = "/etc/kiosk/outbox.key"
[devices]
printer = "tcp://127.0.0.1:9100"
[jurisdictions.tongzhou]
protocol = "rest"
endpoint = "https://example.invalid/api"
'''


def test_examples_and_demo_load():
    paths = sorted(glob.glob("deploy/sites/*.toml"))
    assert len(paths) == 2
    for p in paths:
        cfg = load_config(p)
        assert cfg.jurisdictions and cfg.devices.idreader.startswith("serial://")
    demo = load_config(demo=True)
    assert demo.demo and all(u.startswith("sim://") for u in (demo.devices.idreader, demo.devices.printer))
    assert demo.technician_pin_hash.startswith("scrypt$")


def test_good_minimal():
    cfg = parse_config(GOOD, "k.toml")
    assert cfg.kiosk_id == "dachang-hall-01" and cfg.ui.idle_timeout == 90
    assert cfg.jurisdictions["tongzhou"].name == "tongzhou"  # no name given: the code (issue 12: no list in code)
    assert "pin_hash" not in str(cfg.without_secrets()["technician_pin_hash"])


@pytest.mark.parametrize("change, key, line, reason", [
    (("printer = \"tcp://127.0.0.1:9100\"", "printer = \"lpt://1\""), "devices.printer", 10, "unknown scheme"),
    (("printer = \"tcp://127.0.0.1:9100\"", "printer = \"sane://test:0\""), "devices.printer", 10, "cannot be sane://"),
    (("printer = \"tcp://127.0.0.1:9100\"", "printer = 9100"), "devices.printer", 10, "must be a string"),
    (("[jurisdictions.tongzhou]", "[jurisdictions.Haidian]"), "jurisdictions.Haidian", 11, "lower-case"),
    (("protocol = \"rest\"", "protocol = \"grpc\""), "jurisdictions.tongzhou.protocol", 12, "soap"),
    (("endpoint = \"https://example.invalid/api\"", "endpoint = \"http://10.1.1.1/api\""), "jurisdictions.tongzhou.endpoint", 13, "in the clear"),
    (("site = \"大厂\"", "site = \"大厂\"\ncolour = \"red\""), "kiosk.colour", 5, "unknown key"),
    (("[data]", "[dat]"), "dat", 6, "unknown section"),
    (("id = \"dachang-hall-01\"", "id = \"Dachang Hall\""), "kiosk.id", 3, "lower-case"),
])
def test_bad_values_name_file_line_key_reason(change, key, line, reason):
    text = GOOD.replace(*change)
    with pytest.raises(ConfigError) as e:
        parse_config(text, "site.toml")
    assert e.value.key == key and reason in e.value.reason
    assert str(e.value).startswith(f"site.toml:{line}: {key}: ")


def test_broken_toml_gives_its_line():
    with pytest.raises(ConfigError) as e:
        parse_config(GOOD.replace("[devices]", "[devices"), "x.toml")
    assert e.value.line == 9 and "not valid TOML" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "none.toml")


def test_cli_exit_codes(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("dachang\"", "Atlantis!\"", 1), encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", "--template", *glob.glob("deploy/sites/*.toml")],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": ok: ") == 2
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip().endswith("kiosk.site_jurisdiction: jurisdiction code 'Atlantis!' must be 2–32 lower-case "
                                     "letters, digits, '-' or '_', starting with a letter")
    assert f"{bad}:5:" in r.stderr and "Traceback" not in r.stderr


def test_check_config_reports_every_problem_not_the_first(tmp_path):
    """Issue 13.3: an unknown key, a bad device URL, a bad value and a bad jurisdiction key in one
    file are all reported in one run, each as file:line: key: reason, exit 2."""
    text = (GOOD.replace('site = "大厂"', 'site = "大厂"\ncolour = "red"')
                .replace('printer = "tcp://127.0.0.1:9100"', 'printer = "lpt://1"\nprinter_paper = 57')
                .replace('protocol = "rest"', 'protocol = "rest"\nretries = 3'))
    with pytest.raises(ConfigError) as e:
        parse_config(text, "site.toml")
    assert [(p.key, p.line) for p in e.value.problems] == [  # in the order of the file
        ("kiosk.colour", 5), ("devices.printer", 11), ("devices.printer_paper", 12),
        ("jurisdictions.tongzhou.retries", 15)]
    assert "(and 3 more: kiosk-admin check-config site.toml)" in str(e.value)  # other commands: one line
    bad = tmp_path / "site.toml"
    bad.write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", "--template", str(bad)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    want = [(5, "kiosk.colour", "unknown key"), (11, "devices.printer", "unknown scheme 'lpt'"),
            (12, "devices.printer_paper", "must be 58 or 80"), (15, "jurisdictions.tongzhou.retries", "unknown key")]
    assert len(lines) == len(want), lines
    for line, (n, key, reason) in zip(lines, want):
        assert line.startswith(f"kiosk-admin: {bad}:{n}: {key}: ") and reason in line, line
