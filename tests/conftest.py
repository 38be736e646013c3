"""Settings every test tier shares: Kivy kept quiet and out of the user's home, fonts cached in
one place, the hypothesis profile bounded for CI's two cores, and loggers' levels put back after each test."""
import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", os.path.join(tempfile.gettempdir(), f"kiosk-tests-kivy-{os.getuid()}"))

# Each area's fixtures, registered once for the whole run: imported into each test module
# instead, a session fixture (the private pcscd, the test PKI, the X server) would be made once
# per module.
pytest_plugins = (
    "tests.support.idcard",
    "tests.support.outbox",
    "tests.support.printer",
    "tests.support.scanner",
    "tests.support.sscard",
    "tests.support.ui",
)

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _logger_levels_restored():
    """What a test (or a CLI it runs in-process: `kiosk-admin identify` quiets "drivers") does to
    the levels of loggers, undone after it: a later test's caplog then sees its own lines."""
    import logging

    def levels():
        return {name: lg.level for name, lg in logging.Logger.manager.loggerDict.items()
                if isinstance(lg, logging.Logger)}

    root, before = logging.getLogger().level, levels()
    yield
    logging.getLogger().setLevel(root)
    for name, level in levels().items():
        if before.get(name, logging.NOTSET) != level:
            logging.getLogger(name).setLevel(before.get(name, logging.NOTSET))
