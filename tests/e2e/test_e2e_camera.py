"""The document camera (高拍仪) in a resident's journey (issue 15 #3): on the demo site the 户口簿
goes to the camera's twin — a frame of the page lying on a desk at an angle, found and flattened —
while the ID card beside it goes to the scanner; both pages join the application as any scan."""
import pytest

from tests.support.ui import journey

pytestmark = pytest.mark.e2e

PENSION = "DC-SB-001"  # 城乡居民基本养老保险待遇领取: 身份证件（正反面） + 户口簿（本人页）
PHONE = "13912345678"


@journey
def test_hukou_by_the_document_camera(ui):
    import pikepdf

    ui.identify()
    ui.choose(PENSION)
    ui.tap_id("next")
    ui.wait_state("form")
    ui.fill_form({"phone": PHONE})
    ui.tap_id("next")
    ui.wait_state("scan")
    scanner = ui.services.scanner
    assert scanner.device_for("hukou") == "camera" and scanner.device_for("id_card") == "scanner"
    ui.scan_all()
    ui.shot("scan-hukou-by-the-camera")
    hukou = ui.services.session.data.attachments["hukou"]
    assert hukou.pages == 1
    with pikepdf.open(hukou.pdf_path) as pdf:
        (image,) = pdf.pages[0].images.values()
        box = [float(v) for v in pdf.pages[0].mediabox]
    # the camera's flattened page: A4 at the twin's 140 dpi (not the scanner's 200 dpi), an A4 page
    assert abs(int(image.Width) - 1157) <= 20 and abs(box[2] - 595) <= 12 and abs(box[3] - 842) <= 12
    assert ui.services.session.data.attachments["id_card"].pages == 2
    assert "共 3 页" in " ".join(ui.texts())
