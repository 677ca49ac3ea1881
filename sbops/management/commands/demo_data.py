from django.conf import settings
from django.core.management.base import BaseCommand

from sbops.demo import BUSINESS_NAME, DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = "Load the demo business (idempotent): channel accounts on the sandbox, customers, conversations and users."

    def handle(self, *args, **options) -> None:
        created = load_demo_data()
        self.stdout.write(
            f"demo data for {BUSINESS_NAME}: {created['conversations']} new conversations, "
            f"{created['messages']} new messages"
        )
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(
                f"  {role:<5} login: {username} / {settings.DEMO_PASSWORDS[username]}"
            )
