"""好差评: the resident's evaluation of one service (一次一评, GB/T 39734-2020), Kivy-free.

After each transaction (a receipt) and each query (a query matter's answer, a progress query) the
journey offers an evaluation: five levels, for the lower two a few reasons to tick and an optional
short text. It is linked to the tracking number and the matter, never to the resident: the
session has forgotten the resident (the wipe) before the evaluation screen shows, and the
evaluation carries no name, ID number or card value. It is queued in the outbox as an item of its
own kind (`offline_queue` kind "evaluation", sealed like every item: kiosk/outbox.py) and forwarded to the site's
好差评 platform, a back end of its own named by `[evaluation] jurisdiction` in the site config."""
from __future__ import annotations

import dataclasses
from typing import Literal

# GB/T 39734-2020's five levels, best first; the number is what the platform receives.
LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)
LOW_LEVELS = (2, 1)  # 不满意, 非常不满意: the resident may say why
# Why a service was rated low: codes the platform receives; kiosk/words.py has their words.
REASONS: tuple[str, ...] = ("slow", "unclear", "device", "repeat", "not_done")
COMMENT_MAX = 100  # characters of the resident's own text
EVALUATION_MATTER = "haochaping"  # the queued item's matter when a service has no matter (a progress query)
UNCONFIGURED = "evaluation"  # the item's jurisdiction when the site names no 好差评 platform

Service = Literal["application", "query", "progress"]


@dataclasses.dataclass(frozen=True)
class Subject:
    """What is evaluated: one service, by its tracking number and matter (nothing personal)."""

    service: Service
    matter: str  # the matter's code ("" for a progress query)
    matter_name: str = ""
    matter_name_en: str = ""
    tracking: str = ""  # the receipt's number; "" for a query
    jurisdiction: str = ""  # the jurisdiction that served it


@dataclasses.dataclass(frozen=True)
class Evaluation:
    subject: Subject
    level: int
    reasons: tuple[str, ...] = ()
    comment: str = ""

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")
        bad = [r for r in self.reasons if r not in REASONS]
        if bad:
            raise ValueError(f"unknown reasons {bad} (one of {', '.join(REASONS)})")
        if self.level not in LOW_LEVELS and (self.reasons or self.comment):
            raise ValueError("reasons and a comment go with the lower two levels only")
        if len(self.comment) > COMMENT_MAX:
            raise ValueError(f"comment longer than {COMMENT_MAX} characters")
