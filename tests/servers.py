"""Real servers started by tests on loopback: a free port, and a process run until it answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(command: list[str], probe: str, name: str, seconds: float = 60.0) -> Iterator[subprocess.Popen]:
    """Run ``command`` until ``probe`` (a URL) answers; stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(probe, timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"{name} exited before it answered")
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not answer within {seconds:.0f} s")
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
