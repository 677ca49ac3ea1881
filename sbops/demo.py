"""A believable business for the demo: Casa Lumbre, a restaurant group of three places.

Idempotent: accounts and users are brought to the values below on every run (passwords from the
environment); customers and conversations are created once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from billing.models import Budget, BudgetAction
from channels_app.models import ChannelAccount
from channels_app.services import channel_account_upsert
from conversations.models import (
    Author,
    ChannelKind,
    ContactIdentity,
    DeliveryStatus,
    Direction,
    IdentityKind,
)
from conversations.services import (
    contact_create,
    conversation_for_inbound,
    conversation_transition,
    message_create,
)
from conversations.states import ConversationState
from sbops.core.roles import ADMIN, OWNER, STAFF

BUSINESS_NAME = "Casa Lumbre"

DEMO_USERS = (
    # username, role, first name, last name
    ("admin", ADMIN, "Ana", "Admin"),
    ("owner", OWNER, "Olga", "Lumbre"),
    ("staff", STAFF, "Sam", "Rivera"),
)


def demo_accounts() -> list[dict]:
    secrets = settings.DEMO_SECRETS
    return [
        {
            "slug": "demo-whatsapp",
            "name": "Casa Lumbre WhatsApp",
            "kind": ChannelKind.WHATSAPP_CLOUD,
            "address": "+15550100001",
            "config": {
                "phone_number_id": "100000000000001",
                "waba_id": "200000000000001",
                "messaging_tier": "TIER_1K",
            },
            "credentials": {
                "access_token": secrets["whatsapp_access_token"],
                "app_secret": secrets["whatsapp_app_secret"],
                "verify_token": secrets["whatsapp_verify_token"],
            },
        },
        {
            "slug": "demo-twilio-sms",
            "name": "Casa Lumbre SMS",
            "kind": ChannelKind.TWILIO_SMS,
            "address": "+15550100002",
            "config": {},
            "credentials": {
                "account_sid": secrets["twilio_account_sid"],
                "auth_token": secrets["twilio_auth_token"],
            },
        },
        {
            "slug": "demo-twilio-whatsapp",
            "name": "Casa Lumbre WhatsApp (Twilio)",
            "kind": ChannelKind.TWILIO_WHATSAPP,
            "address": "whatsapp:+15550100003",
            "config": {},
            "credentials": {
                "account_sid": secrets["twilio_account_sid"],
                "auth_token": secrets["twilio_auth_token"],
            },
        },
        {
            "slug": "demo-telegram",
            "name": "Casa Lumbre Telegram",
            "kind": ChannelKind.TELEGRAM,
            "address": "@CasaLumbreBot",
            "config": {},
            "credentials": {
                "bot_token": secrets["telegram_bot_token"],
                "secret_token": secrets["telegram_secret_token"],
            },
        },
        {
            "slug": "demo-email",
            "name": "Casa Lumbre reservations email",
            "kind": ChannelKind.EMAIL,
            "address": "reservas@casalumbre.example",
            "config": {"provider": "mailgun"},
            "credentials": {"signing_key": secrets["email_signing_key"]},
        },
    ]


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    language: str
    phone: str
    email: str
    identity: tuple[str, str]
    account_slug: str
    state: str
    vip: bool
    lines: tuple[tuple[str, str], ...]  # (author, text), oldest first


CUSTOMERS = (
    DemoCustomer(
        "Lucía Fernández",
        "es",
        "+34611223344",
        "",
        (IdentityKind.WHATSAPP, "34611223344"),
        "demo-whatsapp",
        ConversationState.BOT,
        False,
        (
            ("customer", "Hola, ¿abrís el domingo por la noche?"),
            ("bot", "¡Hola Lucía! Sí, el domingo abrimos de 19:00 a 23:30 en las tres casas."),
        ),
    ),
    DemoCustomer(
        "Tom Becker",
        "de",
        "+4915112345678",
        "",
        (IdentityKind.WHATSAPP, "4915112345678"),
        "demo-whatsapp",
        ConversationState.WAITING_HUMAN,
        True,
        (
            (
                "customer",
                "Guten Tag, ich möchte für Freitag einen Tisch für 14 Personen reservieren.",
            ),
            ("bot", "Danke, Tom! Für Gruppen über 10 Personen verbinde ich Sie mit unserem Team."),
            ("customer", "Perfekt, wir brauchen auch ein vegetarisches Menü."),
        ),
    ),
    DemoCustomer(
        "Maria Souza",
        "pt-BR",
        "+5511987654321",
        "",
        (IdentityKind.PHONE, "+5511987654321"),
        "demo-twilio-sms",
        ConversationState.HUMAN,
        False,
        (
            ("customer", "Oi! Meu pedido de ontem veio sem a sobremesa 😕"),
            ("bot", "Sinto muito, Maria! Vou passar para a nossa equipe."),
            (
                "staff",
                "Olá Maria, aqui é o Sam. Vamos enviar a sobremesa hoje, sem custo. Desculpe!",
            ),
        ),
    ),
    DemoCustomer(
        "James O'Connor",
        "en",
        "+14155550123",
        "",
        (IdentityKind.WHATSAPP, "14155550123"),
        "demo-twilio-whatsapp",
        ConversationState.RESOLVED,
        False,
        (
            ("customer", "Do you have gluten-free pizza?"),
            ("bot", "Yes! Every pizza can be made on our gluten-free base for $2 extra."),
            ("customer", "Great, thanks!"),
        ),
    ),
    DemoCustomer(
        "Chloé Martin",
        "fr",
        "",
        "",
        (IdentityKind.TELEGRAM, "502113377"),
        "demo-telegram",
        ConversationState.BOT,
        False,
        (
            ("customer", "Bonsoir, est-ce que vous livrez à Gràcia ?"),
            ("bot", "Bonsoir Chloé ! Oui, nous livrons à Gràcia de 12h à 23h."),
        ),
    ),
    DemoCustomer(
        "Priya Natarajan",
        "en",
        "",
        "priya@example.org",
        (IdentityKind.EMAIL, "priya@example.org"),
        "demo-email",
        ConversationState.WAITING_HUMAN,
        False,
        (
            (
                "customer",
                "Hello, I'd like to book the private room for a birthday on the 14th, about 25 guests. "
                "Could you send the set menus and the deposit terms?",
            ),
        ),
    ),
)


def demo_users_upsert() -> dict[str, object]:
    user_model = get_user_model()
    users = {}
    for username, role, first, last in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@casalumbre.example"
        user.is_staff = True  # may log into the console; the role decides what they see
        user.is_active = True
        user.set_password(settings.DEMO_PASSWORDS[username])
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        users[username] = user
    return users


def load_demo_data(*, stdout=None) -> dict[str, int]:
    """Load (or refresh) the demo business; returns counts of what was created."""
    created = {"conversations": 0, "messages": 0}
    with transaction.atomic():
        users = demo_users_upsert()
        accounts = {
            spec["slug"]: channel_account_upsert(**spec, uses_sandbox=True, actor=users["admin"])
            for spec in demo_accounts()
        }
        if not Budget.objects.exists():
            Budget.objects.create(
                monthly_limit=Decimal("150.00"),
                soft_alert_percent=80,
                action_when_exceeded=BudgetAction.FAST_TIER_ONLY,
            )
        for index, customer in enumerate(CUSTOMERS):
            if ContactIdentity.objects.filter(
                kind=customer.identity[0], external_id=customer.identity[1]
            ).exists():
                continue
            created["conversations"] += 1
            created["messages"] += _seed_customer(
                customer, accounts[customer.account_slug], users, hours_ago=len(CUSTOMERS) - index
            )
    return created


def _seed_customer(
    customer: DemoCustomer, account: ChannelAccount, users: dict, *, hours_ago: int
) -> int:
    contact = contact_create(
        display_name=customer.name,
        phone=customer.phone,
        email=customer.email,
        language=customer.language,
        is_vip=customer.vip,
        identities=[customer.identity],
    )
    conversation = conversation_for_inbound(
        contact=contact, channel_account_id=account.pk, channel_kind=account.kind
    )
    started = timezone.now() - timedelta(hours=hours_ago)
    staff = users["staff"]
    for offset, (author, text) in enumerate(customer.lines):
        at = started + timedelta(minutes=2 * offset)
        if author == Author.STAFF and conversation.state != ConversationState.HUMAN:
            conversation = conversation_transition(
                conversation_id=conversation.pk, to_state=ConversationState.HUMAN, actor=staff
            )
        message_create(
            conversation=conversation,
            direction=Direction.INBOUND if author == Author.CUSTOMER else Direction.OUTBOUND,
            author=author,
            author_user=staff if author == Author.STAFF else None,
            bot_tier="rules" if author == Author.BOT else "",
            body=text,
            language=customer.language,
            delivery_status=None if author == Author.CUSTOMER else DeliveryStatus.READ,
            provider_message_id=f"demo-{account.slug}-{customer.identity[1]}-{offset}",
            at=at,
        )
    if conversation.state != customer.state:
        reason = (
            "Group booking over 10 guests"
            if customer.state == ConversationState.WAITING_HUMAN
            else ""
        )
        conversation_transition(
            conversation_id=conversation.pk, to_state=customer.state, actor=None, reason=reason
        )
    return len(customer.lines)
