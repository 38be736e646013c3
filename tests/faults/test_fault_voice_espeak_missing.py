"""Fault: espeak-ng is not installed (or not on PATH). The kiosk builds without a speech engine
and shows every screen silently, saying why once in the log; rendering through a missing engine
names the package."""
import dataclasses
import logging

import pytest

from drivers.speech import EspeakRenderer, SpeechError
from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.devices.speech import open_speech
from tests.support.fakes import fake_factories


def test_fault_voice_espeak_missing(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run here
    with caplog.at_level(logging.WARNING):
        assert open_speech() is None
    assert "voice guidance off: espeak-ng is not installed" in caplog.text
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path / "data"))
    services = build(cfg, clock=FakeClock(), factories=fake_factories())
    assert services.speech is None
    services.close()
    with pytest.raises(SpeechError, match="not installed"):
        EspeakRenderer().render("ni3 hao3", "cmn-latn-pinyin", str(tmp_path / "x.wav"))
