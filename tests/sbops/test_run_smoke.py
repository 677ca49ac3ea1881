"""`sbops run` as a person runs it: starts, answers, stops on Ctrl-C leaving nothing behind."""

from __future__ import annotations

import time

import httpx
import psutil
import pytest

from tests.plugins.console import manage, start_console, stop_console, wait_for_http

pytestmark = pytest.mark.slow


def test_run_serves_the_console_and_ctrl_c_leaves_no_process(console_env, tmp_path):
    manage(console_env, "demo-data")
    console = start_console(console_env, tmp_path, "--workers", "2")
    try:
        health = wait_for_http(console.url + "/healthz", timeout=90).json()
        assert health["status"] == "ok"
        assert {name for name, check in health["checks"].items() if check["ok"]} == {
            "database",
            "cache",
            "channel_layer",
            "worker",
        }
        login_page = httpx.get(console.url + "/admin/login/", timeout=10)
        assert login_page.status_code == 200 and "sbops console" in login_page.text
        children = console.descendants()
        # uvicorn, the cluster (with its 2 workers, monitor, pusher, guard) and the sandbox
        assert len(children) >= 5
        log = console.log()
        assert console.url + "/" in log
        assert "demo login: staff / staff-demo-pass" in log
    finally:
        stop_console(console)
    assert console.process.returncode == 0, console.log()
    time.sleep(0.5)
    alive = [
        proc for proc in children if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == [], f"left behind: {[p.cmdline() for p in alive]}"
    with pytest.raises(httpx.ConnectError):
        httpx.get(console.url + "/healthz", timeout=2)


def test_run_honours_the_port_variable_and_says_where_it_listens(console_env, tmp_path):
    console = start_console(console_env, tmp_path, "--sandbox", "off")
    try:
        wait_for_http(console.url + "/healthz", timeout=90)
        assert f"sbops console: {console.url}/" in console.log()
    finally:
        stop_console(console)
    assert console.process.returncode == 0
