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


def test_scrub_masks_names_phones_and_addresses_by_key_and_shape():
    assert scrub('{"name": "张三丰", "fileName": "a.pdf", "matterName": "公积金提取"}') == \
        '{"name": "张**", "fileName": "a.pdf", "matterName": "公积金提取"}'
    assert scrub("<sqrxm>李四</sqrxm><itemName>社保</itemName>") == "<sqrxm>李*</sqrxm><itemName>社保</itemName>"
    assert scrub("<Name>address</Name><Value>北京市通州区新华大街1号</Value>") == \
        "<Name>address</Name><Value>北京市****</Value>"
    assert scrub("call 13800138000 or +86 13912345678, desk 0316-5123456") == \
        "call 138****8000 or +86 139****5678, desk 0316-***3456"
    assert scrub("retry 9c799970-ca8f in 4s at 1764290000.13800138000") == "retry 9c799970-ca8f in 4s at 1764290000.13800138000"
    assert scrub("姓名：王五 电话：13800138000") == "姓名：王* 电话：138****8000"
    # a thing's name (a self-test check, a device) is not a person's
    assert scrub('{"name": "printer", "status": "ok"}') == '{"name": "printer", "status": "ok"}'
    assert scrub('{"name": "Zhang San"}') == '{"name": "Zhang *"}'

