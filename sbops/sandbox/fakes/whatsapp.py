"""Fake WhatsApp Cloud API (Graph) media endpoints, under `/whatsapp`.

- `GET /whatsapp/v25.0/{media_id}` with `Authorization: Bearer <token>` → the media's JSON
  (url pointing back at this sandbox, mime_type, sha256 as base64 of the digest, file_size,
  id, messaging_product), as Graph answers it.
- `GET /whatsapp/media-files/{media_id}` with the same Bearer → the bytes (what Meta serves
  from lookaside.fbsbx.com).

A missing or wrong token gets Graph's 401 `OAuthException` with code 190; an unknown media id
Graph's 400 with code 100. Graph also takes the token as an `access_token` query parameter.
"""

from __future__ import annotations

from typing import Any

from ..recorder import RecordedRequest
from ..routes import Response, route
from .media_store import StoredMedia, media_store

GRAPH_PREFIX = "/whatsapp/v25.0"
FILES_PREFIX = "/whatsapp/media-files"


def graph_error(
    status: int, code: int, message: str, kind: str = "OAuthException", **extra: Any
) -> Response:
    """A Graph API error body: {"error": {"message", "type", "code", "fbtrace_id", ...}}."""
    return Response(
        status=status,
        body={
            "error": {
                "message": message,
                "type": kind,
                "code": code,
                "fbtrace_id": "AsandboxTRACE",
                **extra,
            }
        },
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}
        if status == 401
        else {},
    )


def _token(request: RecordedRequest) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (request.query.get("access_token") or [""])[0]


def _authorize(request: RecordedRequest, item: StoredMedia | None) -> Response | None:
    """None when the request may see `item`; else Graph's 401."""
    token = _token(request)
    if not token:
        return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
    expected = item.credentials.get("access_token") if item else None
    if expected and token != expected:
        return graph_error(
            401,
            190,
            "Error validating access token: The session is invalid.",
            error_subcode=460,
        )
    return None


def _unknown(media_id: str) -> Response:
    return graph_error(
        400,
        100,
        f"Unsupported get request. Object with ID '{media_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        kind="GraphMethodException",
        error_subcode=33,
    )


@route("GET", GRAPH_PREFIX + "/{media_id}")
def retrieve_media_url(request: RecordedRequest, media_id: str) -> Response:
    item = media_store.find("whatsapp", "media_id", media_id)
    refused = _authorize(request, item)
    if refused:
        return refused
    if item is None:
        return _unknown(media_id)
    host = request.headers.get("host", "127.0.0.1")
    return Response(
        body={
            "messaging_product": "whatsapp",
            "url": f"http://{host}{FILES_PREFIX}/{media_id}",
            "mime_type": item.mime_type,
            "sha256": item.sha256_base64,
            "file_size": item.size,
            "id": media_id,
        }
    )


@route("GET", FILES_PREFIX + "/{media_id}")
def download_media(request: RecordedRequest, media_id: str) -> Response:
    item = media_store.find("whatsapp", "media_id", media_id)
    refused = _authorize(request, item)
    if refused:
        return refused
    if item is None:
        return graph_error(404, 100, "Media not found or expired", kind="GraphMethodException")
    return Response(body=item.content, content_type=item.mime_type or "application/octet-stream")
