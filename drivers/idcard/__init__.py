"""GA 467 ID-card SAM reader: frame codec, text layouts, the reader's rules (sans-I/O), the pyserial
shell that runs them, and its pty twin."""
