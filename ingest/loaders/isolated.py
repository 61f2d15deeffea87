"""Parse files in a child process under a memory and a time limit.

A compressed DOCX, a crafted PDF or a parser bug can take gigabytes or never finish;
limits checked before parsing (``check_limits``) cannot see everything. In a child the
limits hold where the bytes are read: the file that breaks them is reported with a
one-line reason, the child is replaced, and the rest of the batch goes on.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from dataclasses import asdict
from pathlib import Path

from council_qa.config import InputLimits
from ingest.document import ExtractedDocument, LoadError
from ingest.loaders import Loader, load_document, loader_for

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class IsolatedLoader:
    """``load_document`` in a reusable child process; call it like ``load_document``.

    The child starts on first use, or earlier with :meth:`start` (its imports take about
    a second, which can then overlap other work), and is restarted after a file kills it
    or runs out of time. :meth:`prefetch` sends the next file ahead, so that its parsing
    overlaps the caller's work on the one before. It imports each file's registered loader
    by name; a loader that cannot be imported so (one defined inside a function) runs in
    this process, without the limits. Use as a context manager, or call :meth:`close`."""

    def __init__(self, limits: InputLimits = InputLimits()) -> None:
        self.limits = limits
        self._child: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._pending: Path | None = None  # the file the child was sent and not yet answered for

    def __call__(self, path: Path | str) -> ExtractedDocument:
        path = Path(path)
        if self._pending is not None and self._pending != path:
            try:  # a file asked for ahead and not wanted now: its answer is read and dropped
                self._receive(self._pending)
            except LoadError:
                pass
        if self._pending is None:
            loader = loader_for(path)
            reference = _reference(loader)
            if reference is None:
                return load_document(path, self.limits, loader)
            self._send(path, reference)
        return self._receive(path)

    def prefetch(self, path: Path | str) -> None:
        """Start parsing ``path`` now, so that the child's work overlaps the caller's own
        (embedding the file before); the next call for ``path`` collects it. Does nothing
        while another file is asked for ahead, or for a loader that runs in this process."""
        path = Path(path)
        if self._pending is not None:
            return
        try:
            reference = _reference(loader_for(path))
        except LoadError:
            return  # the call for it reports the reason
        if reference is not None:
            self._send(path, reference)

    def _send(self, path: Path, reference: str) -> None:
        conn = self._start()
        self._pending = path
        try:
            conn.send((str(path), reference))
        except OSError:
            pass  # a child that died before reading is reported when the answer is awaited

    def _receive(self, path: Path) -> ExtractedDocument:
        """The outcome of the file sent to the child, or its failure as a :class:`LoadError`."""
        conn = self._conn
        assert conn is not None, "nothing was sent"  # close() forgets what was sent
        self._pending = None
        try:
            # The clock starts when the child starts parsing: a fresh child's start and the
            # loader's imports (seconds on a busy machine) are not the file's doing.
            status, value = conn.recv() if conn.poll(self.limits.start_seconds) else ("no start", None)
            if status == "parsing":
                left = self.limits.parse_seconds - (time.monotonic() - value)
                finished = conn.poll(max(left, 0.0))
                status, value = conn.recv() if finished else ("timeout", None)
        except (EOFError, OSError):
            status, value = "died", None
        if status == "ok":
            return value
        if status == "error":
            raise LoadError(path, value)
        reason = self._failure(status)
        self.close()
        raise LoadError(path, reason)

    def peak_memory_mb(self) -> float | None:
        """The child's peak resident memory so far (Linux), for benchmarks and diagnostics."""
        if self._child is None or self._child.poll() is not None:
            return None
        try:
            with open(f"/proc/{self._child.pid}/status") as status:
                kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except (OSError, StopIteration, ValueError):
            return None
        return kb / 1024

    def _failure(self, status: str) -> str:
        if status == "timeout":
            return f"parsing took longer than the {self.limits.parse_seconds:g} s limit"
        if status == "no start":
            return f"the parser did not start within {self.limits.start_seconds:g} s"
        if status == "memory":
            return f"parsing needed more than the {self.limits.parse_memory_mb:g} MB memory limit"
        assert self._child is not None
        code = self._child.wait(timeout=5)
        how = f"signal {-code}" if code < 0 else f"exit status {code}"
        return (f"the parser stopped ({how}): the file may be damaged or need more than the "
                f"{self.limits.parse_memory_mb:g} MB memory limit")

    def start(self) -> None:
        """Start the child now, without waiting for it to be ready."""
        self._start()

    def _start(self) -> Connection:
        if self._child is not None and self._child.poll() is None and self._conn is not None:
            return self._conn
        self.close()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._child = subprocess.Popen(
            [sys.executable, "-c", "import sys; from ingest.loaders.isolated import serve; serve(sys.argv[1:])",
             str(to_child_r), str(from_child_w), json.dumps(asdict(self.limits))],
            pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._conn = _Duplex(from_child_r, to_child_w)
        return self._conn

    def close(self) -> None:
        self._pending = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.wait()
            self._child = None

    def __enter__(self) -> "IsolatedLoader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Duplex:
    """A reading and a writing pipe used as one connection."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._reader = Connection(read_fd, writable=False)
        self._writer = Connection(write_fd, readable=False)

    def send(self, value) -> None:
        self._writer.send(value)

    def recv(self):
        return self._reader.recv()

    def poll(self, timeout: float) -> bool:
        return self._reader.poll(timeout)

    def close(self) -> None:
        self._reader.close()
        self._writer.close()


def _reference(loader: Loader) -> str | None:
    module, name = getattr(loader, "__module__", None), getattr(loader, "__qualname__", "")
    if not module or module == "__main__" or "<" in name:
        return None
    return f"{module}:{name}"


def _resolve(reference: str) -> Loader:
    module, name = reference.split(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _limit_memory(extra_mb: float) -> None:
    """Cap the address space at what the child maps now plus ``extra_mb``."""
    try:
        import resource

        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * _PAGE
        cap = mapped + int(extra_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS (not Linux): the time limit still holds


def serve(argv: list[str]) -> None:
    """The child's loop: paths in, documents or reasons out, until the parent closes."""
    read_fd, write_fd, limits = int(argv[0]), int(argv[1]), InputLimits(**json.loads(argv[2]))
    conn = _Duplex(read_fd, write_fd)
    _limit_memory(limits.parse_memory_mb)
    while True:
        try:
            path, reference = conn.recv()
        except EOFError:
            return
        try:
            loader = _resolve(reference)
        except (ImportError, AttributeError, ValueError) as exc:
            conn.send(("error", f"cannot import its loader {reference} ({exc})"))
            continue
        conn.send(("parsing", time.monotonic()))  # one clock for both processes (Linux, macOS)
        try:
            conn.send(("ok", load_document(path, limits, loader)))
        except LoadError as exc:
            conn.send(("error", exc.reason))
        except MemoryError:
            conn.send(("memory", None))
            return  # a parser that ran out of memory may have left its state broken
