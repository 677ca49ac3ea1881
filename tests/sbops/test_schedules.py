from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.models import Schedule

from sbops.management.commands.schedules import SCHEDULES


def test_schedules_are_declared_once_and_point_at_real_tasks(db):
    call_command("schedules")
    call_command("schedules")  # re-runnable
    assert Schedule.objects.count() == len(SCHEDULES)
    for schedule in Schedule.objects.all():
        assert callable(import_string(schedule.func)), schedule.func
