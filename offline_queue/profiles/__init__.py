"""Interface profiles shipped with the kiosk: the project's own contract, SOAP and REST."""
