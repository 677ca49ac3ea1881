"""factory_boy factories for the core models. Registered as fixtures in tests/conftest.py."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from channels_app.models import ChannelAccount
from conversations.models import (
    STATUS_RANK,
    Author,
    ChannelKind,
    Contact,
    ContactIdentity,
    Conversation,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Message,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class ChannelAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelAccount

    name = factory.Sequence(lambda n: f"Account {n}")
    kind = ChannelKind.WHATSAPP_CLOUD
    slug = factory.Sequence(lambda n: f"account-{n}")
    credentials = factory.LazyFunction(
        lambda: {
            "access_token": "EAAG-test-token",
            "app_secret": "app-secret-1",
            "verify_token": "verify-1",
        }
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    display_name = factory.Sequence(lambda n: f"Customer {n}")
    language = "en"


class ContactIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactIdentity

    contact = factory.SubFactory(ContactFactory)
    kind = IdentityKind.WHATSAPP
    external_id = factory.Sequence(lambda n: f"3460000{n:04d}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory)
    channel_account_id = factory.LazyFunction(lambda: ChannelAccountFactory().pk)
    channel_kind = ChannelKind.WHATSAPP_CLOUD


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    channel_account_id = factory.SelfAttribute("conversation.channel_account_id")
    channel_kind = factory.SelfAttribute("conversation.channel_kind")
    direction = Direction.INBOUND
    author = Author.CUSTOMER
    body = "Hello"
    provider_message_id = factory.Sequence(lambda n: f"wamid.TEST{n:06d}")
    delivery_status = DeliveryStatus.RECEIVED
    status_rank = factory.LazyAttribute(lambda m: STATUS_RANK[m.delivery_status])
