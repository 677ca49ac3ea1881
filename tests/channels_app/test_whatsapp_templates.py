"""Template logic without database or network: placeholders, rendering, parameter checks,
refusals and the `components` of a send."""

from __future__ import annotations

import pytest

from channels_app.models import MessageTemplate
from channels_app.whatsapp_templates import (
    TemplateParamsInvalid,
    example_params,
    graph_components,
    placeholders,
    render,
    send_refusal,
    validate_params,
)


def order_update(**overrides) -> MessageTemplate:
    """Reference A6's positional template, with a text header that takes a parameter."""
    values = {
        "name": "order_update",
        "language": "de",
        "category": "UTILITY",
        "status": "APPROVED",
        "parameter_format": "POSITIONAL",
        "enabled": True,
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Bestellung {{1}}",
                "example": {"header_text": ["#4711"]},
            },
            {
                "type": "BODY",
                "text": "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.",
                "example": {"body_text": [["Lena", "#4711"]]},
            },
            {"type": "FOOTER", "text": "Antworten Sie STOP zum Abmelden"},
            {
                "type": "BUTTONS",
                "buttons": [{"type": "QUICK_REPLY", "text": "Mit Mensch sprechen"}],
            },
        ],
    }
    values.update(overrides)
    return MessageTemplate(**values)


def named_template() -> MessageTemplate:
    return MessageTemplate(
        name="delivery_slot",
        language="en_US",
        category="UTILITY",
        status="APPROVED",
        parameter_format="NAMED",
        enabled=True,
        components=[
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Hi {{first_name}}",
                "example": {
                    "header_text_named_params": [{"param_name": "first_name", "example": "Ana"}]
                },
            },
            {
                "type": "BODY",
                "text": "{{first_name}}, your order {{order_id}} arrives at {{slot}}.",
                "example": {
                    "body_text_named_params": [
                        {"param_name": "first_name", "example": "Ana"},
                        {"param_name": "order_id", "example": "A-1"},
                        {"param_name": "slot", "example": "10:00"},
                    ]
                },
            },
        ],
    )


# --- placeholders and examples --------------------------------------------------------------


def test_positional_placeholders_number_header_and_body_separately():
    assert placeholders(order_update()) == ["header.1", "1", "2"]


def test_named_placeholders_are_the_names_once_each():
    assert placeholders(named_template()) == ["first_name", "order_id", "slot"]


def test_media_header_takes_no_text_parameter():
    template = order_update()
    template.components[0] = {"type": "HEADER", "format": "IMAGE"}
    assert placeholders(template) == ["1", "2"]
    assert render(template, ["Lena", "#1"])["header"] == "[IMAGE]"


def test_template_without_parameters():
    template = MessageTemplate(
        name="hello_world",
        language="en_US",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Welcome!"}],
    )
    assert placeholders(template) == []
    assert validate_params(template, []) == []
    assert graph_components(template, {}) == []


def test_example_values_come_from_the_components():
    assert example_params(order_update()) == {"header.1": "#4711", "1": "Lena", "2": "#4711"}
    assert example_params(named_template()) == {
        "first_name": "Ana",
        "order_id": "A-1",
        "slot": "10:00",
    }


# --- rendering ------------------------------------------------------------------------------


def test_render_positional_from_a_list_in_placeholder_order():
    assert render(order_update(), ["#9", "Lena", "#4711"]) == {
        "header": "Bestellung #9",
        "body": "Hallo Lena, Ihre Bestellung #4711 ist unterwegs.",
        "footer": "Antworten Sie STOP zum Abmelden",
        "buttons": [{"type": "QUICK_REPLY", "text": "Mit Mensch sprechen"}],
    }


def test_render_named_from_a_dict_and_keeps_missing_placeholders_visible():
    rendered = render(named_template(), {"first_name": "Ana", "order_id": "A-1"})
    assert rendered["header"] == "Hi Ana"
    assert rendered["body"] == "Ana, your order A-1 arrives at {{slot}}."


# --- validation -----------------------------------------------------------------------------


def test_valid_parameters_have_no_errors():
    assert validate_params(order_update(), ["#9", "Lena", "#4711"]) == []
    assert validate_params(order_update(), {"header.1": "#9", "1": "Lena", "2": "#4711"}) == []


def test_wrong_count():
    assert validate_params(order_update(), ["Lena", "#4711"]) == ["expected 3 parameters, got 2"]


def test_unknown_and_missing_names():
    errors = validate_params(named_template(), {"first_name": "Ana", "orderid": "A-1"})
    assert errors == [
        "unknown parameter 'orderid'",
        "missing parameter 'order_id'",
        "missing parameter 'slot'",
    ]


def test_empty_value():
    assert validate_params(order_update(), ["#9", "  ", "#4711"]) == ["parameter '1' is empty"]


def test_newline_tab_and_many_spaces_are_refused():
    errors = validate_params(order_update(), ["#9", "Lena\nMaria", "a\tb     c"])
    assert errors == [
        "parameter '1' contains a newline or tab, which WhatsApp refuses",
        "parameter '2' contains a newline or tab, which WhatsApp refuses",
        "parameter '2' contains more than 4 consecutive spaces, which WhatsApp refuses",
    ]
    assert validate_params(order_update(), ["#9", "Lena", "a    b"]) == []  # 4 spaces pass


def test_header_parameter_over_60_characters():
    assert validate_params(order_update(), ["x" * 61, "Lena", "#4711"]) == [
        "header parameter 'header.1' is 61 characters; the limit is 60"
    ]
    assert validate_params(order_update(), ["x" * 60, "Lena", "#4711"]) == []


def test_body_over_1024_characters_with_its_parameters():
    fixed = len("Hallo , Ihre Bestellung  ist unterwegs.")
    fits = "L" * (1024 - fixed - 2)
    assert validate_params(order_update(), ["#9", fits, "#4"]) == []
    assert validate_params(order_update(), ["#9", fits + "L", "#4"]) == [
        "the body would be 1025 characters; the limit is 1024"
    ]


# --- refusal --------------------------------------------------------------------------------


def test_approved_and_enabled_can_be_sent():
    assert send_refusal(order_update()) is None


@pytest.mark.parametrize("status", ["PAUSED", "DISABLED", "PENDING", "DELETED"])
def test_not_approved_is_refused_with_the_status(status):
    assert send_refusal(order_update(status=status)) == f"template order_update (de) is {status}"


def test_rejected_names_the_reason():
    template = order_update(status="REJECTED", rejection_reason="INVALID_FORMAT")
    assert (
        send_refusal(template) == "template order_update (de) is REJECTED (reason: INVALID_FORMAT)"
    )


def test_disabled_by_us_is_refused():
    assert (
        send_refusal(order_update(enabled=False))
        == "template order_update (de) is disabled in sbops"
    )


# --- the send payload -----------------------------------------------------------------------


def test_graph_components_positional():
    assert graph_components(order_update(), ["#9", "Lena", "#4711"]) == [
        {"type": "header", "parameters": [{"type": "text", "text": "#9"}]},
        {
            "type": "body",
            "parameters": [{"type": "text", "text": "Lena"}, {"type": "text", "text": "#4711"}],
        },
    ]


def test_graph_components_named():
    params = {"first_name": "Ana", "order_id": "A-1", "slot": "10:00"}
    assert graph_components(named_template(), params) == [
        {
            "type": "header",
            "parameters": [{"type": "text", "parameter_name": "first_name", "text": "Ana"}],
        },
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": "Ana"},
                {"type": "text", "parameter_name": "order_id", "text": "A-1"},
                {"type": "text", "parameter_name": "slot", "text": "10:00"},
            ],
        },
    ]


def test_graph_components_refuses_invalid_parameters():
    with pytest.raises(TemplateParamsInvalid) as raised:
        graph_components(order_update(), ["#9", "Lena"])
    assert raised.value.errors == ["expected 3 parameters, got 2"]
