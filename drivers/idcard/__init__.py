"""GA 467 ID-card SAM reader: frame codec, text layouts, the pyserial reader and its pty twin."""
