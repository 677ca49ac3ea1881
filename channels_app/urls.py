from django.urls import path

from channels_app.webhooks import webhook

urlpatterns = [
    path("webhooks/<str:kind>/<str:slug>/", webhook, name="webhook"),
]
