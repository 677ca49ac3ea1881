"""Every (from, to) pair of the conversation state machine, through the service that moves it."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.services import conversation_transition
from conversations.states import ALLOWED_TRANSITIONS, ConversationState, TransitionNotAllowed
from sbops.core.models import AuditEntry

pytestmark = pytest.mark.django_db


S = ConversationState
STATES = list(S)
ALL_PAIRS = list(itertools.product(STATES, STATES))

# What the business allows; written out here rather than read from ALLOWED_TRANSITIONS so a change
# to the machine has to be made on purpose in both places.
EXPECTED_ALLOWED = {
    (S.BOT, S.WAITING_HUMAN),
    (S.BOT, S.HUMAN),
    (S.BOT, S.RESOLVED),
    (S.WAITING_HUMAN, S.HUMAN),
    (S.WAITING_HUMAN, S.BOT),
    (S.WAITING_HUMAN, S.RESOLVED),
    (S.HUMAN, S.WAITING_HUMAN),
    (S.HUMAN, S.BOT),
    (S.HUMAN, S.RESOLVED),
    (S.RESOLVED, S.BOT),
    (S.RESOLVED, S.HUMAN),
}
ALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair in EXPECTED_ALLOWED]
FORBIDDEN_PAIRS = [pair for pair in ALL_PAIRS if pair not in EXPECTED_ALLOWED]


def pair_id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}->{pair[1]}"


def test_sixteen_pairs_split_into_allowed_and_forbidden():
    assert len(ALL_PAIRS) == 16
    assert len(ALLOWED_PAIRS) + len(FORBIDDEN_PAIRS) == 16
    service_allows = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert service_allows == EXPECTED_ALLOWED


@pytest.fixture
def earlier():
    return timezone.now() - timedelta(hours=3)


@pytest.fixture
def make_conversation(conversation_factory, user_factory, earlier):
    """A conversation sitting in `state`, with the history a real one in that state would have."""

    def make(state: str):
        previous_agent = user_factory(username="previous-agent")
        fields = {"state": state, "escalation_reason": ""}
        if state in (S.WAITING_HUMAN, S.HUMAN, S.RESOLVED):
            fields["handed_off_at"] = earlier
            fields["escalation_reason"] = "Customer asked for a person"
        if state in (S.HUMAN, S.RESOLVED):
            fields["assigned_to"] = previous_agent
        if state == S.RESOLVED:
            fields["resolved_at"] = earlier
        return conversation_factory(**fields)

    return make


def snapshot(conversation) -> dict:
    conversation.refresh_from_db()
    return {
        field.attname: getattr(conversation, field.attname)
        for field in conversation._meta.concrete_fields
    }


@pytest.mark.parametrize(("current", "target"), ALLOWED_PAIRS, ids=map(pair_id, ALLOWED_PAIRS))
@pytest.mark.parametrize("actor_kind", ["staff", "system"])
def test_allowed_transition_moves_state_assignment_and_clocks(
    make_conversation, staff_user, earlier, current, target, actor_kind
):
    conversation = make_conversation(current)
    before = snapshot(conversation)
    actor = staff_user if actor_kind == "staff" else None
    started = timezone.now()

    returned = conversation_transition(
        conversation_id=conversation.pk, to_state=target, actor=actor, reason="Wants a refund"
    )

    conversation.refresh_from_db()
    assert returned.state == conversation.state == target

    if target == S.HUMAN:
        # entering `human` assigns the person who acted; the system assigns nobody
        assert conversation.assigned_to == actor
        if before["handed_off_at"] is None:
            assert conversation.handed_off_at >= started
        else:
            assert conversation.handed_off_at == before["handed_off_at"]
    elif target in (S.BOT, S.WAITING_HUMAN):
        assert conversation.assigned_to is None
    elif target == S.RESOLVED:
        # whoever had it keeps it: the history shows who resolved it
        assert conversation.assigned_to_id == before["assigned_to_id"]

    if target == S.WAITING_HUMAN:
        assert conversation.handed_off_at >= started
        assert conversation.escalation_reason == "Wants a refund"

    if target == S.RESOLVED:
        assert conversation.resolved_at >= started
    else:
        # an open conversation is not resolved, whichever way it was reopened
        assert conversation.resolved_at is None

    if current == S.RESOLVED:
        assert before["resolved_at"] == earlier  # it really was resolved before reopening


@pytest.mark.parametrize("current", [a for a, b in ALLOWED_PAIRS if b == S.HUMAN])
def test_entering_human_assigns_the_given_assignee_over_the_actor(
    make_conversation, staff_user, owner_user, current
):
    conversation = make_conversation(current)

    conversation_transition(
        conversation_id=conversation.pk, to_state=S.HUMAN, actor=owner_user, assignee=staff_user
    )

    conversation.refresh_from_db()
    assert conversation.state == S.HUMAN
    assert conversation.assigned_to == staff_user


@pytest.mark.parametrize(("current", "target"), FORBIDDEN_PAIRS, ids=map(pair_id, FORBIDDEN_PAIRS))
def test_forbidden_transition_is_refused_and_leaves_the_row_untouched(
    make_conversation, staff_user, current, target
):
    conversation = make_conversation(current)
    before = snapshot(conversation)

    with pytest.raises(TransitionNotAllowed) as refused:
        conversation_transition(
            conversation_id=conversation.pk, to_state=target, actor=staff_user, reason="nope"
        )

    assert (refused.value.current, refused.value.target) == (current, target)
    assert snapshot(conversation) == before
    assert not AuditEntry.objects.filter(target_id=str(conversation.pk)).exists()


@pytest.mark.parametrize(("current", "target"), ALLOWED_PAIRS, ids=map(pair_id, ALLOWED_PAIRS))
@pytest.mark.parametrize("actor_kind", ["staff", "system"])
def test_every_transition_writes_one_audit_entry(
    make_conversation, staff_user, current, target, actor_kind
):
    conversation = make_conversation(current)
    actor = staff_user if actor_kind == "staff" else None

    conversation_transition(
        conversation_id=conversation.pk, to_state=target, actor=actor, reason="Asked for a person"
    )

    entries = list(
        AuditEntry.objects.filter(
            target_type="conversations.conversation", target_id=conversation.pk
        )
    )
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == f"conversation.{target}"
    assert entry.data["from"] == current
    assert entry.data["to"] == target
    if actor is None:
        assert entry.actor is None
        assert entry.actor_label == "system"
    else:
        assert entry.actor == staff_user
        assert entry.actor_label == staff_user.username


def test_a_full_round_trip_is_recorded_in_order(conversation, staff_user):
    path = [S.WAITING_HUMAN, S.HUMAN, S.RESOLVED, S.BOT, S.RESOLVED]
    for target in path:
        conversation_transition(conversation_id=conversation.pk, to_state=target, actor=staff_user)

    moves = [
        (entry.data["from"], entry.data["to"])
        for entry in AuditEntry.objects.filter(target_id=str(conversation.pk)).order_by("pk")
    ]
    assert moves == list(zip([S.BOT, *path[:-1]], path, strict=True))
