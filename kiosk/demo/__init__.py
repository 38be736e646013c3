"""The embedded demo site (site.toml: every device a twin, the jurisdictions simulated) and what
the demo runs beside it: 视频帮办's own gateway and a scripted clerk (video.py). README.md here."""
