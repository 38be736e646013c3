"""Settings every test tier shares: Kivy kept quiet and out of the user's home, fonts cached in
one place, and the hypothesis profile bounded for CI's two cores."""
import os
import tempfile

from hypothesis import HealthCheck, settings

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", os.path.join(tempfile.gettempdir(), f"kiosk-tests-kivy-{os.getuid()}"))

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")
