"""Device state codes and print results are closed sets, as types: each adapter's word table holds
exactly its kind's codes (kiosk.ports), which are the driver's own, and a print is Printed or
Refused(state)."""
from typing import get_args

import pytest

from kiosk.devices import idcard, printer, scanner
from kiosk.ports import (DEVICE_CODES, CardReaderCode, DeviceState, Printed, PrinterCode, PrintResult, Refused,
                         ScannerCode, ServiceCode)


def test_each_adapter_words_exactly_its_codes():
    assert set(printer.STATUS_WORDS) == set(get_args(PrinterCode))
    assert set(scanner.WORDS) == set(get_args(ScannerCode))
    assert set(idcard.STATE_WORDS) == set(get_args(CardReaderCode))


def test_the_codes_are_the_drivers_own():
    from drivers.idcard import events as id_events
    from drivers.printer import status as printer_status
    from drivers.scanner import status as scanner_status
    from drivers.sscard import events as ss_events

    assert set(printer_status.CODES) == set(get_args(PrinterCode))
    assert set(scanner_status.CODES) == set(get_args(ScannerCode))
    # the readers' states, and "absent" (no reader here) which the adapter adds
    assert set(id_events.STATES) | {"absent"} == set(ss_events.STATES) | {"absent"} == set(get_args(CardReaderCode))


def test_a_reader_state_outside_the_set_is_a_fault():
    st = idcard.device_state("idreader", "melted", "/dev/ttyUSB0")
    assert (st.health, st.code) == ("fault", "fault") and "melted" in st.detail and "/dev/ttyUSB0" in st.detail
    assert st.code in DEVICE_CODES


def test_service_codes_are_in_the_set():
    assert set(get_args(ServiceCode)) <= DEVICE_CODES


@pytest.mark.parametrize("result, printed", [(Printed(DeviceState("printer", "ok", "ready")), True),
                                             (Refused(DeviceState("printer", "fault", "paper_out")), False)])
def test_a_print_result_is_printed_or_refused(result: PrintResult, printed):
    match result:
        case Printed(state=st):
            said = ("printed", st.code)
        case Refused(state=st):
            said = ("refused", st.code)
    assert said[0] == ("printed" if printed else "refused") and result.ok is printed
