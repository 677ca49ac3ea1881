"""Fake provider APIs (WhatsApp, Telegram, Twilio, Anthropic, Groq) served on loopback.

Pure standard library, no Django: it also runs standalone as `python -m sbops.sandbox`.
"""

from .client import SandboxClient, SandboxControlError
from .faults import Fault, FaultPlan
from .recorder import Headers, RecordedRequest, Recorder
from .routes import Handler, Response, Router, default_router, route
from .server import CONTROL_PREFIX, SandboxServer

__all__ = [
    "CONTROL_PREFIX",
    "Fault",
    "FaultPlan",
    "Handler",
    "Headers",
    "RecordedRequest",
    "Recorder",
    "Response",
    "Router",
    "SandboxClient",
    "SandboxControlError",
    "SandboxServer",
    "default_router",
    "route",
]
from . import fakes  # noqa: E402, F401  (registers the provider fakes on the default router)
