"""`SandboxServer`: a threaded HTTP server on loopback that records, injects faults, and routes."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import socket
import socketserver
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from .faults import Fault, FaultPlan
from .recorder import Headers, RecordedRequest, Recorder
from .routes import Response, Router, default_router, error_response

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/__sandbox"
MAX_BODY_BYTES = 64 * 1024 * 1024
_MAX_LINE = 65536


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def loopback_host(host: str) -> str:
    """The IP literal to bind for `host`. ValueError unless it is a loopback address.

    Only IP literals and "localhost" (taken as 127.0.0.1) are accepted, so no name lookup
    can turn a loopback-looking name into a public interface.
    """
    literal = "127.0.0.1" if host == "localhost" else host.strip("[]")
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        raise ValueError(f"sandbox host must be a loopback IP address, got {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"sandbox refuses to bind to non-loopback address {host!r}")
    return str(address)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sandbox: SandboxServer, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((sandbox.host, sandbox.requested_port), _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.sandbox.host
        self.server_port = self.server_address[1]

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        """Cut idle keep-alive connections, which would otherwise outlive the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # OSError: already closed by its handler thread.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("sandbox connection from %s failed", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sbops-sandbox/1"
    # Idle keep-alive connections must not pin a thread forever.
    timeout = 60
    server: _HTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def _handle(self) -> None:
        sandbox = self.server.sandbox
        target = urlsplit(self.path)
        path = target.path or "/"
        try:
            body = self._read_body()
        except _BadRequest as exc:
            self.close_connection = True
            self._send(error_response(exc.status, "sandbox_bad_request", str(exc)))
            return
        query = parse_qs(target.query, keep_blank_values=True)
        headers = Headers(self.headers.items())

        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            request = RecordedRequest(
                0, datetime.now(UTC), self.command, path, query, headers, body
            )
            self._send(sandbox.control_router.dispatch(request))
            return

        request = sandbox.recorder.record(
            method=self.command, path=path, query=query, headers=headers, body=body
        )
        fault = sandbox.faults.take(request.method, path)
        if fault is None:
            self._send(sandbox.router.dispatch(request))
            return
        if fault.delay > 0 and sandbox.stopping.wait(fault.delay):
            self._drop()  # the server is stopping: do not hold stop() up for the delay
            return
        if fault.drop:
            self._drop()
            return
        self._send(fault.response())

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return b""
        try:
            length = int(length_header)
        except ValueError:
            raise _BadRequest(400, f"invalid Content-Length {length_header!r}") from None
        if length < 0:
            raise _BadRequest(400, f"invalid Content-Length {length_header!r}")
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, f"body of {length} bytes exceeds {MAX_BODY_BYTES}")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_LINE)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, f"invalid chunk size line {line[:40]!r}") from None
            if size == 0:
                while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):
                    pass  # trailers carry nothing the fakes need
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequest(413, f"chunked body exceeds {MAX_BODY_BYTES} bytes")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_LINE)

    def _send(self, response: Response) -> None:
        status, headers, body = response.render()
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Sandbox Status"
        if self.server.sandbox.stopping.is_set():
            self.close_connection = True
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        # OSError: the client may already have gone.
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class SandboxServer:
    """Fake-provider HTTP server on a loopback address, served from a background thread.

    Each server has its own Recorder and FaultPlan unless given some; the Router defaults
    to `default_router`, where the provider fakes register. Precondition: `host` is a
    loopback IP literal or "localhost" (ValueError otherwise). `port` 0 lets the OS choose.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        router: Router | None = None,
        recorder: Recorder | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"sandbox port must be an int from 0 to 65535, got {port!r}")
        self.host = loopback_host(host)
        self.requested_port = port
        self.router = default_router if router is None else router
        self.recorder = Recorder() if recorder is None else recorder
        self.faults = FaultPlan() if faults is None else faults
        self.control_router = _control_router(self.recorder, self.faults)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._state = "new"

    def start(self) -> Self:
        """Bind and serve in a daemon thread; returns self. RuntimeError if started before."""
        with self._lock:
            if self._state != "new":
                raise RuntimeError(f"sandbox server already {self._state}; create a new one")
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            self._httpd = _HTTPServer(self, family)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"sbops-sandbox:{self._httpd.server_port}",
                daemon=True,
            )
            self._thread.start()
            self._state = "running"
        return self

    def stop(self) -> None:
        """Stop serving, close the listening socket and open connections. Safe to call twice."""
        with self._lock:
            if self._state != "running":
                self._state = "stopped"
                return
            self._state = "stopped"
            httpd, thread = self._httpd, self._thread
        assert httpd is not None and thread is not None
        self.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_open_connections()
        thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._state == "running"

    @property
    def port(self) -> int:
        """The bound port. Precondition: started."""
        if self._httpd is None:
            raise RuntimeError("sandbox server not started")
        return int(self._httpd.server_port)

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). Precondition: started."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> Self:
        return self if self._state == "running" else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else f"{self.host}:{self.requested_port}"
        return f"<SandboxServer {where} {self._state}>"


def _control_router(recorder: Recorder, faults: FaultPlan) -> Router:
    """Routes for /__sandbox/*, letting another process inspect and steer a running sandbox."""
    router = Router()

    def first(request: RecordedRequest, name: str) -> str | None:
        values = request.query.get(name)
        return values[0] if values else None

    @router.route("GET", f"{CONTROL_PREFIX}/health")
    def health(request: RecordedRequest) -> Response:
        return Response(body={"ok": True})

    @router.route("GET", f"{CONTROL_PREFIX}/requests")
    def list_requests(request: RecordedRequest) -> Response:
        found = recorder.requests(path=first(request, "path"), method=first(request, "method"))
        return Response(body={"requests": [r.to_dict() for r in found]})

    @router.route("DELETE", f"{CONTROL_PREFIX}/requests")
    def clear_requests(request: RecordedRequest) -> Response:
        return Response(body={"ok": True, "cleared": recorder.clear()})

    @router.route("GET", f"{CONTROL_PREFIX}/faults")
    def list_faults(request: RecordedRequest) -> Response:
        return Response(body={"faults": [f.to_dict() for f in faults.list()]})

    @router.route("POST", f"{CONTROL_PREFIX}/faults")
    def add_fault(request: RecordedRequest) -> Response:
        try:
            fault = Fault.from_dict(json.loads(request.body))
        except ValueError as exc:  # JSONDecodeError is a ValueError
            return error_response(400, "sandbox_invalid_fault", str(exc))
        faults.add(fault)
        return Response(status=201, body={"fault": fault.to_dict()})

    @router.route("DELETE", f"{CONTROL_PREFIX}/faults")
    def clear_faults(request: RecordedRequest) -> Response:
        return Response(body={"ok": True, "cleared": faults.clear()})

    return router
