from django.apps import AppConfig


class SbopsConfig(AppConfig):
    name = "sbops"
    verbose_name = "sbops"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from sbops.roles_sync import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, sender=self)
