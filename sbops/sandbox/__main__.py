"""`python -m sbops.sandbox [--host 127.0.0.1] [--port 0]`: serve until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .server import SandboxServer


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the sandbox; prints `sandbox listening on URL` once ready. Returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m sbops.sandbox", description=__doc__)
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="0 lets the OS choose (default)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        server = SandboxServer(args.host, args.port)
    except ValueError as exc:
        parser.error(str(exc))

    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    with server:
        print(f"sandbox listening on {server.url}", flush=True)
        # A timed wait keeps the main thread returning to the interpreter to run signal handlers.
        while not stop_requested.wait(timeout=0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
