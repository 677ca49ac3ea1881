"""Queueing a django-q2 task so that it exists exactly when the caller's data does.

With the ORM broker on the same database (the embedded default), the task row is inserted
inside the caller's transaction: one commit holds both, so a crash can never leave data
without its task, nor a task without its data. With Redis, the task is pushed after commit.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.conf import Conf
from django_q.tasks import async_task

_local = threading.local()


def broker_shares_database() -> bool:
    return bool(Conf.ORM) and Conf.ORM == "default"


def enqueue(task: str, *args: Any, timeout: int | None = None, **kwargs: Any) -> None:
    """Queue `task` (a dotted path) with JSON-safe arguments, bound to the current transaction."""
    options: dict[str, Any] = {"timeout": timeout} if timeout else {}

    def push() -> None:
        async_task(task, *args, broker=_broker(), **options, **kwargs)

    if broker_shares_database() and transaction.get_connection().in_atomic_block:
        push()
    else:
        transaction.on_commit(push)


def _broker() -> Broker:
    """One broker per thread, not one per task: building one costs more than the insert."""
    broker = getattr(_local, "broker", None)
    if broker is None:
        broker = _local.broker = get_broker()
    return broker


def enqueue_at(task: str, *args: Any, run_at: datetime, name: str = "") -> None:
    """Queue `task` to run at `run_at` (a one-off schedule; the cluster's scheduler checks
    every 30 s, so use it for waits of seconds to hours, not milliseconds)."""
    from django_q.models import Schedule

    Schedule.objects.create(
        name=(name or f"{task}{args}@{run_at.isoformat()}")[:100],
        func=task,
        args=repr(args) if args else None,
        schedule_type=Schedule.ONCE,
        repeats=1,
        next_run=run_at,
    )
