"""Every variable the settings read is documented in .env.example, with its default."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.M))


def test_every_variable_read_by_settings_is_in_env_example():
    source = (ROOT / "sbops" / "settings.py").read_text() + (ROOT / "sbops" / "cli.py").read_text()
    read = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z][A-Z0-9_]+)"', source))
    read |= set(re.findall(r'environ\.get\("([A-Z][A-Z0-9_]+)"', source))
    assert read, "the pattern found no variables: the test would pass vacuously"
    assert read - documented() == set()


def test_production_mode_refuses_the_development_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "sbops.settings",
            "SBOPS_DEBUG": "false",
            "SBOPS_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SBOPS_SECRET_KEY" in result.stderr
