"""The project's URLs plus `/bench/bare/`: the baseline a webhook is compared with.

The bare view does the least a webhook can: one row inserted, 200. Same server, same
middleware, same database, so the ratio webhook/bare shows what the ingest path itself costs.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from sbops.core.models import InboxEvent
from sbops.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return JsonResponse({"ok": True})  # readiness probe: writes nothing
    event = InboxEvent.objects.create(
        stream="bench", op="bench.bare", payload={"size": len(request.body)}
    )
    return JsonResponse({"ok": True, "id": event.pk})


urlpatterns = [*project_urlpatterns, path("bench/bare/", bare, name="bench-bare")]
