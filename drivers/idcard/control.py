"""Run-time commands for the ID-card twin, one text line each (`kiosk-admin sim idreader` reads
them from stdin and from its control FIFO; a demo device panel may send the same lines).

    place NAME|FILE          put a card on the reader (a sample name or a card JSON file)
    remove                   take the card away
    garbage [N]              the next N read answers are random bytes
    bad_checksum [N]         the next N read answers have a wrong checksum
    no_card [N]              the next N finds answer 80 (no card) although a card is on
    read_failed [N]          the next N reads answer SW3 41 (card moved away)
    pull                     the next read answers SW3 41 and the card is gone (pulled mid-read)
    slow [SECONDS]           the next read answer comes SECONDS late (default 2)
    mute [N]                 the next N reads get no answer at all
    vanish                   the port disappears (USB unplugged); `return` brings it back
    return                   the port returns at the same path
    clear                    forget pending faults
    status                   one line: port, card, pending faults
    cards                    the sample card names
    help                     this list

A fault word may be followed by `any` or `find` to aim it at other commands than the read.
Each command answers one line: `ok ...` or `error: reason`."""
from __future__ import annotations

from drivers.idcard.cards import CardFileError, list_cards
from drivers.idcard.twin import FAULTS, IdReaderTwin

HELP = __doc__.split("\n\n")[1]


def apply_command(twin: IdReaderTwin, line: str) -> str:
    """Carry out one control line; never raises for bad input (returns `error: ...`)."""
    words = line.split()
    if not words:
        return ""
    cmd, args = words[0].lower().replace("-", "_"), words[1:]
    try:
        if cmd == "place":
            if not args:
                return "error: place needs a card name or file (cards: " + ", ".join(list_cards()) + ")"
            rec = twin.place(args[0])
            return f"ok placed {args[0]} ({rec.layout})"
        if cmd == "remove":
            twin.remove()
            return "ok removed"
        if cmd in FAULTS:
            target = None
            count, arg = 1, 0.0
            for a in args:
                if a in ("any", "find", "read"):
                    target = a
                elif cmd == "slow":
                    arg = float(a)
                else:
                    count = int(a)
            twin.inject(cmd, target=target, count=count, arg=arg)
            return f"ok {cmd} armed"
        if cmd == "vanish":
            twin.vanish()
            return "ok port gone"
        if cmd in ("return", "come_back"):
            twin.come_back()
            return f"ok port back at {twin.path}"
        if cmd == "clear":
            twin.clear_faults()
            return "ok faults cleared"
        if cmd == "status":
            card = twin.card
            return (f"ok port {twin.path} {'online' if twin.online else 'gone'}; "
                    f"card {card.layout if card else 'none'}; answered {twin.answered}")
        if cmd == "cards":
            return "ok " + " ".join(list_cards())
        if cmd == "help":
            return HELP
    except (CardFileError, ValueError) as e:
        return f"error: {e}"
    return f"error: unknown command {words[0]!r} (try help)"
