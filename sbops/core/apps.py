from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sbops.core"
    label = "core"
    verbose_name = "Kernel"
