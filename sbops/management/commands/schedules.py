from django.core.management.base import BaseCommand
from django_q.models import Schedule

# Every recurring task, declared once (re-runnable: update_or_create by name).
SCHEDULES = (
    {
        "name": "requeue stalled webhooks",
        "func": "channels_app.tasks.requeue_stalled_webhooks",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    {
        "name": "sync whatsapp templates",
        "func": "channels_app.tasks_templates.sync_all_whatsapp_templates",
        "schedule_type": Schedule.MINUTES,
        "minutes": 360,
    },
    {
        "name": "expire pending statuses",
        "func": "conversations.tasks.expire_pending_statuses",
        "schedule_type": Schedule.DAILY,
    },
)


class Command(BaseCommand):
    help = "Declare every recurring task (idempotent)."

    def handle(self, *args, **options) -> None:
        for spec in SCHEDULES:
            values = {key: value for key, value in spec.items() if key != "name"}
            Schedule.objects.update_or_create(name=spec["name"], defaults=values)
        self.stdout.write(f"{len(SCHEDULES)} schedule(s) declared")
