"""Fault: the SANE backend does not finish a scan in time (a backend stuck in C cannot be
interrupted by any thread). The scan process is killed at its timeout and the scan fails as
io_error; the next scan works. The SANE test backend cannot be made to hang for ever, so the scan
is given less time than the scan process needs to start: the same kill path."""
import pytest

from drivers.scanner.sane_scanner import SaneScanner
from drivers.scanner.status import ScanError

pytestmark = pytest.mark.faults


def test_scan_past_its_timeout_is_killed_and_reported(sane_test_backend):
    slow = SaneScanner("test:0", dpi=50, options={"read_delay": True, "read_delay_duration": 200000})
    with pytest.raises(ScanError) as e:
        slow.scan(timeout=0.01)
    assert e.value.code == "io_error" and "no answer within" in str(e.value)
    pages = SaneScanner("test:0", dpi=50).scan()
    assert len(pages) == 1 and pages[0].size[0] > 0
