"""`kiosk-admin evaluations`: the 好差评 evaluations this kiosk holds in its outbox, counted per
level (5 非常满意 … 1 非常不满意) and per outbox state. Read from the outbox, nothing personal."""
from __future__ import annotations

import argparse
import json


def register(sub, groups) -> None:
    p = sub.add_parser("evaluations", help="好差评: counts per level (from the outbox)",
                       description="Count the residents' evaluations queued in the outbox: per level, "
                                   "and how many were forwarded to the evaluation platform.")
    p.add_argument("--json", action="store_true", help="levels, states and total as JSON")
    p.add_argument("--config", default=argparse.SUPPRESS, help="site config (overrides the global --config)")
    p.set_defaults(func=cmd_evaluations)


def cmd_evaluations(args) -> int:
    from kiosk.cli.queue_cmds import _store
    from kiosk.outbox import evaluation_counts
    from kiosk.words import say

    store = _store(args)
    try:
        c = evaluation_counts(store)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"levels": {str(k): v for k, v in c["levels"].items()}, "states": c["states"],
                          "purged": c["purged"], "total": c["total"]}, ensure_ascii=False))
        return 0
    states = ", ".join(f"{k} {v}" for k, v in sorted(c["states"].items())) or "-"
    print(say("evaluation.admin_total", "zh", total=c["total"], states=states))
    for level, n in c["levels"].items():
        print(f"  {level}  {say(f'evaluation.level.{level}', 'zh')}\t{say(f'evaluation.level.{level}', 'en'):18} {n}")
    if c["purged"]:
        print(f"  (purged after delivery and retention, level unknown: {c['purged']})")
    return 0
