"""kiosk-desk's config (kiosk/desk/config.py) and its command line (kiosk/desk/cli.py): what the
console's page is given, `file:line: key: reason` for every mistake, exit 2; add-clerk from
stdin."""
import os
import stat

import pytest

from kiosk.desk import cli
from kiosk.desk.clerks import load_clerks, verify_password
from kiosk.desk.config import parse_desk_config
from kiosk.errors import ConfigError

GOOD = '''listen = "0.0.0.0:8443"
gateway = "wss://gw.tongzhou.example/janus"
clerks = "clerks.toml"
ice_transport_policy = "relay"

[[ice_servers]]
urls = ["stun:turn.tongzhou.example:3478"]

[[ice_servers]]
urls = ["turn:turn.tongzhou.example:3478?transport=udp"]
username = "desk"
credential = "s3cret"
'''


def test_a_good_config_gives_the_page_its_gateway_and_ice_servers():
    c = parse_desk_config(GOOD, "/etc/kiosk-desk/desk.toml")
    assert (c.host, c.port, c.clerks) == ("0.0.0.0", 8443, "/etc/kiosk-desk/clerks.toml")
    assert c.for_browser() == {
        "gateway": "wss://gw.tongzhou.example/janus", "iceTransportPolicy": "relay",
        "iceServers": [{"urls": ["stun:turn.tongzhou.example:3478"]},
                       {"urls": ["turn:turn.tongzhou.example:3478?transport=udp"], "username": "desk",
                        "credential": "s3cret"}]}
    assert not c.secure_cookie and c.tls_cert is None


def test_defaults_and_tls_make_the_cookie_secure():
    c = parse_desk_config('gateway = "ws://127.0.0.1:8188"\nclerks = "/x/clerks.toml"\n'
                          'tls_cert = "/x/c.pem"\ntls_key = "/x/k.pem"\n', "d.toml")
    assert (c.host, c.port, c.ice_servers, c.ice_transport_policy, c.secure_cookie) == \
        ("127.0.0.1", 8089, (), "all", True)


@pytest.mark.parametrize("text, line, key, reason", [
    ('gateway = "ws://g"\nclerks = "c"\nlisten = "nowhere"\n', 3, "listen", "HOST:PORT"),
    ('clerks = "c"\n', None, "gateway", "missing"),
    ('gateway = "ftp://g"\nclerks = "c"\n', 1, "gateway", "ws://"),
    ('gateway = "ws://g"\n', None, "clerks", "missing"),
    ('gateway = "ws://g"\nclerks = "c"\nice_transport_policy = "turn"\n', 3, "ice_transport_policy", '"all" or "relay"'),
    ('gateway = "ws://g"\nclerks = "c"\nice_transport_policy = "relay"\n', 3, "ice_transport_policy", "needs a turn"),
    ('gateway = "ws://g"\nclerks = "c"\n\n[[ice_servers]]\nurls = ["turn:t:3478"]\n', 4, "ice_servers[0]",
     "username and credential"),
    ('gateway = "ws://g"\nclerks = "c"\n[[ice_servers]]\nurls = ["stun:s"]\n[[ice_servers]]\nurls = ["http://x"]\n', 5,
     "ice_servers[1].urls", "stun:"),
    ('gateway = "ws://g"\nclerks = "c"\n[[ice_servers]]\nurls = ["stun:s"]\npassword = "x"\n', 3,
     "ice_servers[0].password", "unknown key"),
    ('gateway = "ws://g"\nclerks = "c"\ntls_cert = "/c.pem"\n', 3, "tls_cert", "go together"),
    ('gateway = "ws://g"\nclerks = "c"\nsecure_cookie = "yes"\n', 3, "secure_cookie", "true or false"),
    ('gateway = "ws://g"\nclerks = "c"\nlisen = "x"\n', 3, "lisen", "unknown key"),
    ('gateway = "ws://g"\nclerks = "c"\ngateway = "ws://h"\n', 3, None, "not valid TOML"),
])
def test_every_mistake_reads_file_line_key_reason(text, line, key, reason):
    with pytest.raises(ConfigError) as e:
        parse_desk_config(text, "/etc/kiosk-desk/desk.toml")
    assert (e.value.line, e.value.key) == (line, key), str(e.value)
    assert reason in e.value.reason
    where = "/etc/kiosk-desk/desk.toml" + (f":{line}" if line else "")
    assert str(e.value).startswith(f"{where}: {key + ': ' if key else ''}")
    assert "s3cret" not in str(e.value)


def test_kiosk_desk_with_a_bad_config_says_one_line_and_exits_2(tmp_path, capsys):
    f = tmp_path / "desk.toml"
    f.write_text('gateway = "ws://g"\nclerks = "clerks.toml"\nice_transport_policy = "sometimes"\n')
    assert cli.main(["--config", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f'kiosk-desk: {f}:3: ice_transport_policy: must be "all" or "relay", not \'sometimes\'']
    assert cli.main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_kiosk_desk_without_a_clerks_file_exits_2(tmp_path, capsys):
    f = tmp_path / "desk.toml"
    f.write_text('listen = "127.0.0.1:0"\ngateway = "ws://g"\nclerks = "clerks.toml"\n')
    assert cli.main(["--config", str(f)]) == 2
    assert "no clerks file" in capsys.readouterr().err


def test_add_clerk_from_stdin_writes_the_file_0600(tmp_path, capsys, monkeypatch):
    import io

    f = tmp_path / "desk.toml"
    f.write_text('gateway = "ws://g"\nclerks = "clerks.toml"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli.main(["add-clerk", "wangfang", "--name", "王芳", "--desk", "tongzhou-hall", "--desk", "dachang-hall",
                     "--password-stdin", "--config", str(f)]) == 0
    assert "added wangfang" in capsys.readouterr().out
    clerks = tmp_path / "clerks.toml"
    assert stat.S_IMODE(os.stat(clerks).st_mode) == 0o600
    c = load_clerks(clerks)["wangfang"]
    assert c.desks == ("tongzhou-hall", "dachang-hall") and verify_password("a long enough password", c.password)

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["add-clerk", "lisi", "--name", "李四", "--desk", "d", "--password-stdin", "--clerks",
                     str(clerks)]) == 2
    err = capsys.readouterr().err
    assert "at least" in err and "short" not in err.replace("at least", "")
    assert "lisi" not in load_clerks(clerks)
    assert cli.main(["add-clerk", "Bad.Login", "--name", "x", "--desk", "d", "--clerks", str(clerks),
                     "--password-stdin"]) == 2


def test_a_hostile_file_is_a_config_error_not_a_traceback():
    """Nested past tomllib's recursion limit, or a number of thousands of digits: the site config's
    own reader (kiosk.config.load_toml) says so for the console's files too."""
    from kiosk.desk.clerks import parse_clerks
    from kiosk.desk.config import parse_desk_config
    from kiosk.errors import ConfigError

    for text in ("x = " + "[" * 5000 + "]" * 5000 + "\n", "x = " + "9" * 5000 + "\n"):
        for parse in (parse_desk_config, parse_clerks):
            with pytest.raises(ConfigError, match="not valid TOML"):
                parse(text, "f.toml")
