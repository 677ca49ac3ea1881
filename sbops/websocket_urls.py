from django.urls import path

from sbops.core.live import LiveEventsConsumer

websocket_urlpatterns = [
    path("ws/events/", LiveEventsConsumer.as_asgi()),
]
