"""The 24-hour window, to the second."""

from datetime import UTC, datetime, timedelta

import pytest

from channels_app.window import customer_service_window

LAST = datetime(2026, 11, 20, 9, 30, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "is_open"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=24) - timedelta(microseconds=1), True),
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), False),
        (timedelta(days=3), False),
    ],
)
@pytest.mark.parametrize("kind", ["whatsapp_cloud", "twilio_whatsapp"])
def test_free_form_only_inside_24_hours_of_the_last_customer_message(kind, elapsed, is_open):
    state = customer_service_window(channel_kind=kind, last_inbound_at=LAST, now=LAST + elapsed)
    assert state.applies and state.open is is_open
    assert state.closes_at == LAST + timedelta(hours=24)


def test_a_customer_who_never_wrote_has_no_window():
    state = customer_service_window(channel_kind="whatsapp_cloud", last_inbound_at=None, now=LAST)
    assert (state.applies, state.open, state.seconds_left(LAST)) == (True, False, 0.0)


@pytest.mark.parametrize("kind", ["telegram", "twilio_sms", "email"])
def test_other_channels_have_no_window(kind):
    state = customer_service_window(channel_kind=kind, last_inbound_at=None, now=LAST)
    assert (state.applies, state.open) == (False, True)


def test_seconds_left_counts_down():
    state = customer_service_window(channel_kind="whatsapp_cloud", last_inbound_at=LAST, now=LAST)
    assert state.seconds_left(LAST + timedelta(hours=23)) == 3600.0
