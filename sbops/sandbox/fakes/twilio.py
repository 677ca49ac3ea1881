"""Fake Twilio media endpoints, under `/twilio` (the real base is https://api.twilio.com).

- `GET /twilio/2010-04-01/Accounts/{sid}/Messages/{msid}/Media/{media_sid}` needs HTTP Basic
  auth `AccountSid:AuthToken` (the user must be the account in the path) and answers a 307
  redirect to a short-lived CDN URL, as Twilio does once "Enforce HTTP Auth on Media URLs" is on.
  With a `.json` suffix it answers the Media resource instead.
- `GET /twilio/cdn/{media_sid}?Expires=<unix time>` serves the bytes without auth until then.

No or wrong credentials: 401 with Twilio's error body (code 20003); an unknown media: 404
(code 20404).
"""

from __future__ import annotations

import base64
import binascii
import time

from ..recorder import RecordedRequest
from ..routes import Response, route
from .media_store import StoredMedia, media_store

PREFIX = "/twilio"
CDN_PREFIX = PREFIX + "/cdn"
CDN_URL_LIFETIME_SECONDS = 4 * 60 * 60  # Twilio's short-lived media URLs last four hours


def twilio_error(status: int, code: int, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if status == 401 else {}
    return Response(
        status=status,
        body={
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        headers=headers,
    )


def _basic_credentials(request: RecordedRequest) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return (user, password) if sep else None


def _authenticated(request: RecordedRequest, sid: str, item: StoredMedia | None) -> bool:
    credentials = _basic_credentials(request)
    if credentials is None:
        return False
    user, password = credentials
    if user != sid or not password:
        return False
    expected = item.credentials.get("auth_token") if item else None
    return not expected or password == expected


@route("GET", PREFIX + "/2010-04-01/Accounts/{sid}/Messages/{msid}/Media/{media_sid}")
def fetch_media(request: RecordedRequest, sid: str, msid: str, media_sid: str) -> Response:
    as_json = media_sid.endswith(".json")
    media_sid = media_sid.removesuffix(".json")
    item = media_store.find("twilio", "media_sid", media_sid)
    if not _authenticated(request, sid, item):
        return twilio_error(401, 20003, "Authenticate")
    if item is None or item.refs["account_sid"] != sid or item.refs["message_sid"] != msid:
        return twilio_error(
            404, 20404, f"The requested resource {request.path.removeprefix(PREFIX)} was not found"
        )
    if as_json:
        uri = item.refs["url_path"].removeprefix(PREFIX) + ".json"
        return Response(
            body={
                "sid": media_sid,
                "account_sid": sid,
                "parent_sid": msid,
                "content_type": item.mime_type,
                "date_created": None,
                "date_updated": None,
                "uri": uri,
            }
        )
    host = request.headers.get("host", "127.0.0.1")
    expires = int(time.time()) + CDN_URL_LIFETIME_SECONDS
    return Response(
        status=307,
        headers={"Location": f"http://{host}{CDN_PREFIX}/{media_sid}?Expires={expires}"},
    )


@route("GET", CDN_PREFIX + "/{media_sid}")
def serve_cdn(request: RecordedRequest, media_sid: str) -> Response:
    item = media_store.find("twilio", "media_sid", media_sid)
    expires = (request.query.get("Expires") or [""])[0]
    if expires and (not expires.isdigit() or int(expires) < time.time()):
        return Response(status=403, body="Request has expired", content_type="text/plain")
    if item is None:
        return Response(status=404, body="Not Found", content_type="text/plain")
    return Response(body=item.content, content_type=item.mime_type or "application/octet-stream")
