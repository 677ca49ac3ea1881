from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from sbops.health import healthz
from sbops.simulator import simulator

admin.site.site_header = "sbops console"
admin.site.site_title = "sbops"
admin.site.index_title = "Operations"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("simulator/", simulator, name="simulator"),
    path("admin/", admin.site.urls),
    path("", include("channels_app.urls")),
]
