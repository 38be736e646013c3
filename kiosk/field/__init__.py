"""The technician's field tools: provisioning, device discovery, self-test, diagnostics and the
catalog store. `kiosk/cli/field_cmds.py` only parses arguments and prints what these return."""
