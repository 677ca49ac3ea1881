"""/healthz tells monitoring which part is down, with 503 when any is."""

import pytest

pytestmark = pytest.mark.django_db(databases="__all__")


def test_without_a_worker_the_console_is_unhealthy_and_says_why(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["cache"]["ok"] and checks["channel_layer"]["ok"]
    assert checks["worker"]["ok"] is False
    assert "no task worker heartbeat" in checks["worker"]["detail"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_broken_cache_is_reported_by_name(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["detail"].startswith("ConnectionError")
    assert body["checks"]["database"]["ok"] is True
