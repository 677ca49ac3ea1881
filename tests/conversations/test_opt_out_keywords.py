"""A customer who writes STOP (or BAJA, or STOPP…) is never messaged again on that channel."""

import pytest

from conversations.keywords import keyword_form, keyword_match
from conversations.models import Author, ContactOptOut, Direction
from conversations.services import message_create
from conversations.tasks import process_inbound
from sbops.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "keyword"),
    [
        ("STOP", "STOP"),
        ("stop", "STOP"),
        ("Stop!", "STOP"),
        ("  ¡Baja!  ", "BAJA"),
        ("Arrêt", "ARRET"),
        ("stopp.", "STOPP"),
        ("no más", "NO MAS"),
    ],
)
def test_keywords_are_recognised_however_they_are_typed(written, keyword):
    match = keyword_match(written)
    assert match is not None and match.keyword == keyword


@pytest.mark.parametrize(
    "written", ["don't stop the music", "STOP sending me promos please", "stopper", "", "🛑"]
)
def test_a_keyword_inside_a_sentence_is_not_an_opt_out(written):
    assert keyword_match(written) is None


def test_keyword_form():
    assert keyword_form("  ¡Désabonner!! ") == "DESABONNER"


def customer_says(conversation, text):
    message = message_create(
        conversation=conversation, direction=Direction.INBOUND, author=Author.CUSTOMER, body=text
    )
    return process_inbound(message.pk)


def test_stop_opts_the_contact_out_of_that_channel_once(conversation):
    outcome = customer_says(conversation, "STOP")
    opt_out = ContactOptOut.objects.get(contact=conversation.contact)
    assert (opt_out.channel_kind, opt_out.source) == (conversation.channel_kind, "keyword:STOP")
    assert outcome == "skipped: the customer opted out with the keyword STOP"
    again = customer_says(conversation, "stop")
    assert again.endswith("(already so: no second confirmation)")
    assert ContactOptOut.objects.count() == 1
    assert AuditEntry.objects.filter(action="contact.opt_out").count() == 1


def test_start_lifts_a_keyword_opt_out_but_not_a_block_or_staffs_word(conversation):
    customer_says(conversation, "BAJA")
    assert (
        customer_says(conversation, "start")
        == "skipped: the customer opted back in with the keyword START"
    )
    assert not ContactOptOut.objects.exists()
    ContactOptOut.objects.create(
        contact=conversation.contact, channel_kind=conversation.channel_kind, source="staff"
    )
    customer_says(conversation, "START")
    assert ContactOptOut.objects.filter(source="staff").exists()
