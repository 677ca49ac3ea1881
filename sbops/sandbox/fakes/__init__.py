"""Provider fakes, registered on the sandbox's `default_router` when this package is imported.

| path | fake of |
| --- | --- |
| `POST /sandbox-media` | upload media first, reference it in a webhook (see `media_store`) |
| `GET /whatsapp/v25.0/{media_id}`, `GET /whatsapp/media-files/{media_id}` | Graph media |
| `/telegram/bot{token}/getFile`, `/telegram/file/bot{token}/{file_path}`, | Telegram Bot API |
| `/telegram/bot{token}/answerCallbackQuery`, `setWebhook`, `getWebhookInfo` | |
| `GET /twilio/2010-04-01/Accounts/{sid}/Messages/{msid}/Media/{media_sid}`, | Twilio media |
| `GET /twilio/cdn/{media_sid}` | |

The path prefixes (`/whatsapp/v25.0`, `/telegram`, `/twilio`) are the `sandbox_prefix` the
console's adapters pass to `channels_app.providers.base.api_base_url`.
"""

from __future__ import annotations

from . import media_store, telegram, twilio, whatsapp
from .media_store import MediaStore, StoredMedia

__all__ = ["MediaStore", "StoredMedia", "media_store", "telegram", "twilio", "whatsapp"]
from . import scripts  # noqa: E402, F401, I001  (scripts, /sandbox-script, /sandbox-sends)
from . import telegram_send  # noqa: E402, F401, I001  (Bot API sendMessage)
from . import twilio_send  # noqa: E402, F401, I001  (Messages.json, Calls.json)
from . import whatsapp_send  # noqa: E402, F401, I001  (Graph send, message_templates)
