"""The kiosk application: config, domain, the session machine, use cases, CLIs, composition root."""
