"""Keeps the embedded channel layer's tables in their own SQLite file (alias ``channels``)."""

from __future__ import annotations

from typing import Any

CHANNEL_LAYER_APP = "channels_lite"
CHANNEL_LAYER_DB = "channels"


class ChannelLayerRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return CHANNEL_LAYER_DB if model._meta.app_label == CHANNEL_LAYER_APP else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return CHANNEL_LAYER_DB if model._meta.app_label == CHANNEL_LAYER_APP else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # channel layer tables only in the channels file, and nothing else there
        return (app_label == CHANNEL_LAYER_APP) == (db == CHANNEL_LAYER_DB)
