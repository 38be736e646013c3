"""Social security cards (社会保障卡) over PC/SC: APDU/TLV decoding, the pyscard reader, the vpcd twin."""
