"""The signed curl examples in the README work against a running console, as a new user runs them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.plugins.console import manage

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[2] / "README.md"
EXPECTED_IDS = [
    "wamid.CURL0001",
    "SMcurl0001",
    "SMcurl0002",
    "5523108871:1842",
    "curl-0001@example.org",
]


def webhook_examples() -> list[str]:
    text = README.read_text()
    section = text.split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.S)


def test_the_readme_has_one_example_per_channel():
    examples = webhook_examples()
    for kind in ("whatsapp_cloud", "twilio_sms", "twilio_whatsapp", "telegram", "email"):
        assert sum(f"/webhooks/{kind}/" in example for example in examples) == 1, kind


def test_every_readme_example_records_its_message(running_console):
    for example in webhook_examples():
        script = "set -euo pipefail\n" + example.replace(
            "http://127.0.0.1:8000", running_console.url
        )
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stdout.lower(), f"{result.stdout}\n---\n{example}"
    found = manage(
        running_console.env,
        "shell",
        "-c",
        "from conversations.models import Message; "
        f"print(sorted(Message.objects.filter(provider_message_id__in={EXPECTED_IDS!r})"
        ".values_list('provider_message_id', flat=True)))",
    ).stdout
    assert found.strip().splitlines()[-1] == repr(sorted(EXPECTED_IDS))
