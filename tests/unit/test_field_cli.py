"""The field commands follow kiosk-admin's rules: --help everywhere, --json on data commands,
exit 2 with one line on stderr for bad usage."""
import pytest

from kiosk.cli import build_parser
from tests.support.field import admin

COMMANDS = (["provision"], ["devices"], ["selftest"], ["diagnostics"], ["catalog", "update"], ["catalog", "rollback"])


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_every_field_command_has_help_and_json(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args([*cmd, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kiosk-admin " + " ".join(cmd)) and "--json" in out


def test_selftest_takes_its_own_config_without_losing_the_global_one():
    p = build_parser()
    assert p.parse_args(["--config", "/a.toml", "selftest"]).config == "/a.toml"
    assert p.parse_args(["selftest", "--config", "/b.toml"]).config == "/b.toml"
    assert p.parse_args(["diagnostics", "--out", "x.tar.gz"]).config is None


def test_missing_required_options_exit_2_with_one_line():
    r = admin("provision", "--site", "x.toml")
    assert r.returncode == 2 and "--kiosk-id" in r.stderr
    r = admin("diagnostics")
    assert r.returncode == 2 and "--out" in r.stderr


def test_selftest_without_a_config_names_the_file(tmp_path):
    r = admin("selftest", "--config", str(tmp_path / "none.toml"))
    assert r.returncode == 2 and r.stderr.strip() == f"kiosk-admin: {tmp_path / 'none.toml'}: no such file"
