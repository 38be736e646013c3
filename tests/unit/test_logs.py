"""Every log line is masked: ID numbers, photo and scan bytes, whoever logs them."""
import logging

from kiosk.logs import PersonalDataFilter, scrub


def test_scrub_masks_numbers_and_drops_blobs():
    assert scrub("card 11010519491231002X read") == "card 110105********002X read"
    assert scrub("old 110105491231002") == "old 110105*****1002"
    assert "11010519491231002X" not in scrub("id=11010519491231002X;")
    assert scrub("order 1234567890123456789012 ok") == "order 1234567890123456789012 ok"  # not an ID shape
    assert scrub("at 1764290000.123456789012345 s") == "at 1764290000.123456789012345 s"  # a float's fraction
    assert scrub("took 0.110105491231002") == "took 0.110105491231002"
    assert scrub("count 123456789999999") == "count 123456789999999"  # no birth date where an old number has one
    assert scrub("end of sentence.110105491231002") == "end of sentence.110105*****1002"
    blob = repr(bytes(range(256)) * 4)
    assert "dropped" in scrub(f"photo {blob}") and "\\x01" not in scrub(f"photo {blob}")
    assert "dropped" in scrub("scan " + "QUJD" * 100)
    assert "dropped" in scrub("frame " + " ".join(["AA"] * 200))


def test_filter_rewrites_records_and_exceptions(caplog):
    logger = logging.getLogger("test.logs")
    handler_filter = PersonalDataFilter()
    caplog.handler.addFilter(handler_filter)
    logger.warning("resident %s with photo %r", "11010519491231002X", b"\xff" * 1024)
    try:
        raise ValueError("bad number 11010519491231002X")
    except ValueError:
        logger.exception("failed")
    text = caplog.text
    assert "11010519491231002X" not in text and "110105********002X" in text
    assert "\\xff\\xff" not in text
