"""Device drivers: a sans-I/O protocol core, a thin I/O shell and a wire-level twin per device."""
