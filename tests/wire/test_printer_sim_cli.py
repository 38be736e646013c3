"""`kiosk-admin sim printer` as a technician runs it: URL on line 1, control port on line 2,
one PNG and one text dump per job, status changed at run time over the control port and stdin."""
import os
import socket
import subprocess
import sys

import pytest

from kiosk.devices.printer import make_printer
from tests.support.printer import sample_receipt  # noqa: F401

pytestmark = pytest.mark.wire
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def sim(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "printer", "--paper", "58",
                             "--out", str(tmp_path)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    url = proc.stdout.readline().strip()
    control = proc.stdout.readline().strip()
    yield proc, url, control
    if proc.poll() is None:
        proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()
    proc.stdin.close()


def _control(control: str, line: str) -> str:
    host, port = control.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s, s.makefile("rw", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        return f.readline().strip()


def test_sim_printer_prints_and_takes_status_changes(sim, tmp_path):
    proc, url, control = sim
    assert url.startswith("tcp://127.0.0.1:") and control.startswith("control tcp://127.0.0.1:")
    control = control.split()[1]
    printer = make_printer(url, paper=58)
    assert printer.print_test().ok
    job_line = proc.stdout.readline().split()
    assert job_line[:3] == ["job", "1", "ok"] and job_line[3].endswith("job-0001.png")
    assert sorted(os.listdir(tmp_path)) == ["job-0001.png", "job-0001.txt"]
    assert "打印测试" in open(tmp_path / "job-0001.txt", encoding="utf-8").read()

    assert _control(control, "status paper_out") == "ok status=paper_out"
    outcome = printer.print_test()
    assert not outcome.ok and (outcome.state.zh, outcome.state.en) == ("缺纸", "paper out")
    assert _control(control, "status bogus").startswith("error")

    proc.stdin.write("status ready\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "ok status=ready"
    assert printer.print_test().ok
    proc.stdin.write("quit\n")
    proc.stdin.flush()
    assert proc.wait(timeout=10) == 0


def test_bad_status_at_start_is_a_usage_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "sim", "printer", "--status", "melted"], cwd=ROOT,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
