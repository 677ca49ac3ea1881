from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or upgrade every database (main and, on the embedded default, the channel layer's) and the cache table."

    def handle(self, *args, **options) -> None:
        for alias in settings.DATABASES:
            call_command(
                "migrate",
                database=alias,
                interactive=False,
                verbosity=options["verbosity"] - 1 if options["verbosity"] else 0,
            )
        call_command("createcachetable")
        call_command("schedules")
        self.stdout.write(self.style.SUCCESS("databases ready"))
