"""Handwriting (issue 16 #3): Zinnia through ctypes with Debian's zh_CN model recognises recorded
strokes of common characters (tests/data/handwriting_strokes.json), whatever the pad's size; a
missing library or model is a clear error, and the kiosk's adapter then offers nothing."""
import json
import os
from pathlib import Path

import pytest

from drivers.handwriting import DEFAULT_MODEL, HandwritingError, Recognizer, normalise
from kiosk.devices.handwriting import Handwriting

DATA = json.loads((Path(__file__).resolve().parents[1] / "data" / "handwriting_strokes.json").read_text(encoding="utf-8"))
needs_model = pytest.mark.skipif(not os.path.exists(DEFAULT_MODEL),
                                 reason="tegaki-zinnia-simplified-chinese not installed (deploy/bootstrap.sh)")


@pytest.fixture(scope="module")
def recognizer():
    r = Recognizer()
    yield r
    r.close()


@needs_model
@pytest.mark.parametrize("char", list(DATA["chars"]))
def test_recorded_strokes_are_recognised_first(recognizer, char):
    w, h = DATA["pad"]
    got = recognizer.classify(DATA["chars"][char], w, h)
    assert got and got[0].char == char, [c.char for c in got]


@needs_model
def test_the_pad_size_does_not_matter(recognizer):
    """The same 公 on a wide pad twice the size (centred in it) reads the same."""
    strokes = [[(x * 2 + 100, y * 2) for x, y in s] for s in DATA["chars"]["公"]]
    assert recognizer.classify(strokes, 800, 600)[0].char == "公"


def test_normalise_keeps_proportions_and_clamps():
    assert normalise([[(0, 0), (600, 300)]], 600, 300) == [[(0, 75), (299, 225)]]
    assert normalise([[(-50, 900)]], 300, 300) == [[(0, 299)]]
    with pytest.raises(ValueError):
        normalise([[(1, 1)]], 0, 10)


def test_a_missing_model_is_named(tmp_path):
    with pytest.raises(HandwritingError, match="no handwriting model"):
        Recognizer(str(tmp_path / "none.model"))
    hw = Handwriting(str(tmp_path / "none.model"))
    assert hw.classify(DATA["chars"]["十"], 300, 300) == [] and "none.model" in hw.problem
    assert not hw.warm()
