"""kiosk-desk, the clerk's console server, as a technician starts it: a clerk added with
`add-clerk`, then the console served on the address given (its login page first), stopped cleanly
on SIGTERM (exit 0); a taken address exits 1 and bad usage 2, each with one line on stderr."""
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest

from kiosk.desk.server import missing

pytestmark = pytest.mark.skipif(bool(missing()), reason=f"not installed: {missing()}")
CMD = [sys.executable, "-m", "kiosk.desk.cli"]


@pytest.fixture
def config(tmp_path):
    """A console's config with one clerk, added as a technician does."""
    path = tmp_path / "desk.toml"
    path.write_text('listen = "127.0.0.1:0"\ngateway = "ws://127.0.0.1:8188"\nclerks = "clerks.toml"\n')
    r = subprocess.run(CMD + ["add-clerk", "wang", "--name", "王老师", "--desk", "dachang-hall", "--password-stdin",
                              "--config", str(path)], input="a long enough password\n", capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return str(path)


def test_serves_the_console_and_stops_on_sigterm(config):
    p = subprocess.Popen(CMD + ["--config", config], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert line.startswith("kiosk-desk: serving http://127.0.0.1:"), line
        url = line.split()[-1]
        assert "坐席登录" in urllib.request.urlopen(url, timeout=5).read().decode()  # the login page first
        p.send_signal(signal.SIGTERM)
        assert p.wait(10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(5)


def test_a_taken_address_exits_1_with_one_line(config):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(CMD + ["--config", config, "--listen", f"127.0.0.1:{port}"], capture_output=True, text=True,
                           timeout=20)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in r.stderr


@pytest.mark.parametrize("args", [["--listen", "8080"], ["--listen", "127.0.0.1:99999"], ["--bogus"]])
def test_bad_usage_exits_2_with_one_line(args, config):
    r = subprocess.run(CMD + ["--config", config] + args, capture_output=True, text=True, timeout=20)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and r.stderr.startswith("kiosk-desk: "), r.stderr
