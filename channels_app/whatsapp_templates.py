"""WhatsApp message templates: placeholders, rendering, parameter checks, send refusal, and the
`components` of a template send (reference A4/A6). Pure functions: no database, no network.

`template` is anything with the attributes of `channels_app.models.MessageTemplate` (name,
language, status, enabled, parameter_format, components).

Parameter keys are what `placeholders()` returns, in order:
- POSITIONAL: Meta numbers the header and the body separately, so a text header's `{{1}}` is
  the key "header.1" and the body's are "1", "2", …
- NAMED: the names (`first_name`); a name used in both header and body takes one value.

`params` is either a dict by key, or a list of values in the order of `placeholders()`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

HEADER_PARAM_LIMIT = 60
BODY_LIMIT = 1024
HEADER_KEY_PREFIX = "header."
SENDABLE_STATUS = "APPROVED"

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_WHITESPACE_REFUSED = re.compile(r"[\n\r\t]")
_MANY_SPACES = re.compile(r" {5,}")

Params = Mapping[str, Any] | Sequence[Any] | None


class TemplateParamsInvalid(ValueError):
    """The parameters do not fit the template; `errors` lists each problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


# --- reading a template --------------------------------------------------------------------


def _component(template: Any, kind: str) -> dict[str, Any] | None:
    for component in getattr(template, "components", None) or []:
        if isinstance(component, dict) and str(component.get("type", "")).upper() == kind:
            return component
    return None


def _text_header(template: Any) -> dict[str, Any] | None:
    header = _component(template, "HEADER")
    if header is None or str(header.get("format", "TEXT")).upper() != "TEXT":
        return None
    return header


def _names_in(text: str) -> list[str]:
    return list(dict.fromkeys(_PLACEHOLDER.findall(text or "")))


def _is_named(template: Any) -> bool:
    return str(getattr(template, "parameter_format", "") or "").upper() == "NAMED"


def _header_keys(template: Any) -> list[str]:
    header = _text_header(template)
    names = _names_in(str(header.get("text") or "")) if header else []
    return names if _is_named(template) else [HEADER_KEY_PREFIX + name for name in names]


def _body_keys(template: Any) -> list[str]:
    body = _component(template, "BODY")
    return _names_in(str(body.get("text") or "")) if body else []


def placeholders(template: Any) -> list[str]:
    """The parameter keys the template takes: the text header's, then the body's."""
    return list(dict.fromkeys(_header_keys(template) + _body_keys(template)))


def example_params(template: Any) -> dict[str, str]:
    """The example values Meta holds for the template (`example.header_text`/`body_text`,
    or the `*_named_params` lists of a named template), by key. Keys without one are left out."""
    values: dict[str, str] = {}
    header = _text_header(template)
    body = _component(template, "BODY")
    for component, prefix in ((header, HEADER_KEY_PREFIX), (body, "")):
        if not component:
            continue
        example = component.get("example") or {}
        kind = "header" if prefix else "body"
        for item in example.get(f"{kind}_text_named_params") or []:
            if isinstance(item, dict) and item.get("param_name"):
                values[str(item["param_name"])] = str(item.get("example", ""))
        positional = example.get(f"{kind}_text") or []
        if positional and isinstance(positional[0], list):  # body_text is [["a", "b"]]
            positional = positional[0]
        keys = _names_in(str(component.get("text") or ""))
        if not _is_named(template):
            for key, value in zip(keys, positional, strict=False):
                values[prefix + key] = str(value)
    return values


# --- parameters ----------------------------------------------------------------------------


def _as_mapping(template: Any, params: Params) -> tuple[dict[str, str], list[str]]:
    """Params by key, and the errors found while matching them to the placeholders."""
    keys = placeholders(template)
    if params is None:
        params = {}
    if isinstance(params, Mapping):
        given = {str(key): "" if value is None else str(value) for key, value in params.items()}
        errors = [f"unknown parameter '{key}'" for key in given if key not in keys]
        errors += [f"missing parameter '{key}'" for key in keys if key not in given]
        return given, errors
    if isinstance(params, str | bytes) or not isinstance(params, Sequence):
        return {}, ["parameters must be a list or a mapping"]
    values = ["" if value is None else str(value) for value in params]
    errors = []
    if len(values) != len(keys):
        errors.append(f"expected {_count(len(keys))}, got {len(values)}")
    return dict(zip(keys, values, strict=False)), errors


def _count(number: int) -> str:
    return f"{number} parameter{'' if number == 1 else 's'}"


def validate_params(template: Any, params: Params) -> list[str]:
    """Every reason Meta would refuse these parameters for this template; [] when they fit."""
    values, errors = _as_mapping(template, params)
    header_keys = set(_header_keys(template))
    for key in placeholders(template):
        if key not in values:
            continue
        value = values[key]
        if not value.strip():
            errors.append(f"parameter '{key}' is empty")
            continue
        if _WHITESPACE_REFUSED.search(value):
            errors.append(f"parameter '{key}' contains a newline or tab, which WhatsApp refuses")
        if _MANY_SPACES.search(value):
            errors.append(
                f"parameter '{key}' contains more than 4 consecutive spaces, which WhatsApp refuses"
            )
        if key in header_keys and len(value) > HEADER_PARAM_LIMIT:
            errors.append(
                f"header parameter '{key}' is {len(value)} characters; "
                f"the limit is {HEADER_PARAM_LIMIT}"
            )
    body = _component(template, "BODY")
    if body is not None:
        length = len(_substitute(str(body.get("text") or ""), values, ""))
        if length > BODY_LIMIT:
            errors.append(f"the body would be {length} characters; the limit is {BODY_LIMIT}")
    return errors


# --- rendering and sending -----------------------------------------------------------------


def _substitute(text: str, values: Mapping[str, str], prefix: str) -> str:
    def value(match: re.Match[str]) -> str:
        return values.get(prefix + match.group(1), match.group(0))

    return _PLACEHOLDER.sub(value, text)


def render(template: Any, params: Params) -> dict[str, Any]:
    """The message as the customer would read it. Placeholders without a value stay as
    `{{…}}`. Keys: header (text, or "[IMAGE]" etc. for a media header, or None), body,
    footer (or None), buttons (list of {"type", "text", and "url"/"phone_number" if any})."""
    values, _ = _as_mapping(template, params)
    header_prefix = "" if _is_named(template) else HEADER_KEY_PREFIX
    rendered: dict[str, Any] = {"header": None, "body": "", "footer": None, "buttons": []}
    header = _component(template, "HEADER")
    if header is not None:
        header_format = str(header.get("format", "TEXT")).upper()
        if header_format == "TEXT":
            rendered["header"] = _substitute(str(header.get("text") or ""), values, header_prefix)
        else:
            rendered["header"] = f"[{header_format}]"
    body = _component(template, "BODY")
    if body is not None:
        rendered["body"] = _substitute(str(body.get("text") or ""), values, "")
    footer = _component(template, "FOOTER")
    if footer is not None:
        rendered["footer"] = str(footer.get("text") or "")
    buttons = _component(template, "BUTTONS")
    for button in (buttons or {}).get("buttons") or []:
        if not isinstance(button, dict):
            continue
        shown = {"type": str(button.get("type", "")), "text": str(button.get("text", ""))}
        for extra in ("url", "phone_number"):
            if button.get(extra):
                shown[extra] = str(button[extra])
        rendered["buttons"].append(shown)
    return rendered


def send_refusal(template: Any) -> str | None:
    """None if the template may be sent (APPROVED by Meta and enabled here); else the reason."""
    label = f"template {template.name} ({template.language})"
    status = str(template.status or "UNKNOWN")
    if status != SENDABLE_STATUS:
        reason = str(getattr(template, "rejection_reason", "") or "")
        if reason and reason.upper() != "NONE":
            return f"{label} is {status} (reason: {reason})"
        return f"{label} is {status}"
    if not getattr(template, "enabled", True):
        return f"{label} is disabled in sbops"
    return None


def graph_components(template: Any, params: Params) -> list[dict[str, Any]]:
    """The `template.components` array of a send (reference A4). Raises TemplateParamsInvalid
    unless `validate_params` finds nothing."""
    errors = validate_params(template, params)
    if errors:
        raise TemplateParamsInvalid(errors)
    values, _ = _as_mapping(template, params)
    named = _is_named(template)
    components = []
    for kind, keys in (("header", _header_keys(template)), ("body", _body_keys(template))):
        if not keys:
            continue
        parameters = []
        for key in keys:
            parameter = {"type": "text", "text": values[key]}
            if named:
                parameter = {"type": "text", "parameter_name": key, "text": values[key]}
            parameters.append(parameter)
        components.append({"type": kind, "parameters": parameters})
    return components
