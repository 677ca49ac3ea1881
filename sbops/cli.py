"""The `sbops` command: `sbops run`, `sbops setup`, `sbops demo-data`, and every manage.py command."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
    if argv[:1] == ["run"]:
        parser = argparse.ArgumentParser(
            prog="sbops run",
            description="Start the console: web server, task worker and (for the demo) the provider sandbox.",
        )
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("SBOPS_WORKER_PROCESSES", "2")),
            help="task worker processes in the cluster",
        )
        parser.add_argument("--sandbox", choices=["auto", "on", "off"], default="auto")
        args = parser.parse_args(argv[1:])
        from sbops.runner import run_console

        return run_console(
            host=args.host, port=args.port, workers=max(1, args.workers), sandbox=args.sandbox
        )
    from django.core.management import execute_from_command_line

    command = {"demo-data": "demo_data"}.get(argv[0], argv[0]) if argv else "help"
    execute_from_command_line(["sbops", command, *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
