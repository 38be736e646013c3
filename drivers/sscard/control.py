"""Run-time commands for the social security card twin, one text line each (`kiosk-admin sim
sscard` reads them from stdin and from its control FIFO; a demo device panel may send the same).

    insert [NAME|FILE]       insert a card (a sample name or a card JSON file; default: the last)
    remove                   pull the card out
    pull [N]                 answer N more APDUs, then the card is pulled out mid-read (default 2)
    status                   one line: card, inserted or not, APDUs answered
    cards                    the sample card names
    help                     this list

Each command answers one line: `ok ...` or `error: reason`."""
from __future__ import annotations

from drivers.sscard.cards import CardFileError, list_cards
from drivers.sscard.twin import SsCardTwin

HELP = __doc__.split("\n\n")[1]


def apply_command(twin: SsCardTwin, line: str) -> str:
    words = line.split()
    if not words:
        return ""
    cmd, args = words[0].lower(), words[1:]
    try:
        if cmd == "insert":
            twin.insert(args[0] if args else None)
            return f"ok inserted {twin.card.name}"
        if cmd == "remove":
            twin.remove()
            return "ok removed"
        if cmd == "pull":
            twin.pull_after(int(args[0]) if args else 2)
            return "ok pull armed"
        if cmd == "status":
            card = twin.card.name if twin.card else "none"
            return f"ok card {card}; {'in' if twin.connected.is_set() else 'out'}; apdus {twin.apdus}"
        if cmd == "cards":
            return "ok " + " ".join(list_cards())
        if cmd == "help":
            return HELP
    except (CardFileError, ValueError) as e:
        return f"error: {e}"
    return f"error: unknown command {words[0]!r} (try help)"
