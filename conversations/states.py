"""The conversation state machine: bot → waiting_human → human → resolved, and back.

Allowed moves and only these; services refuse anything else with `TransitionNotAllowed`.
"""

from __future__ import annotations

from django.db import models


class ConversationState(models.TextChoices):
    BOT = "bot", "Bot answering"
    WAITING_HUMAN = "waiting_human", "Waiting for a person"
    HUMAN = "human", "With staff"
    RESOLVED = "resolved", "Resolved"


S = ConversationState

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # escalate to the queue; staff take over directly (reply or claim); the bot closes it
    S.BOT: frozenset({S.WAITING_HUMAN, S.HUMAN, S.RESOLVED}),
    # claimed; handed back to the bot; closed without a reply
    S.WAITING_HUMAN: frozenset({S.HUMAN, S.BOT, S.RESOLVED}),
    # released to the queue; handed back to the bot; resolved
    S.HUMAN: frozenset({S.WAITING_HUMAN, S.BOT, S.RESOLVED}),
    # reopened by a new inbound message (bot) or by staff (human)
    S.RESOLVED: frozenset({S.BOT, S.HUMAN}),
}

OPEN_STATES = frozenset({S.BOT, S.WAITING_HUMAN, S.HUMAN})


class TransitionNotAllowed(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a conversation cannot go from {current!r} to {target!r}")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise TransitionNotAllowed(current, target)
