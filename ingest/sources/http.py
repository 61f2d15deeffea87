"""A polite HTTP client for council websites: browser-like, rate-limited, retrying."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from ingest.document import printable

# Many council sites answer 403 to clients that do not look like a browser.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 council-qa"
)
_RETRY_STATUS = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER = 60.0
# Worth another try: the network or the server may do better next time. Anything else
# (a bad URL, a redirect loop, an unsupported scheme, a corrupt body) will not.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class FetchError(Exception):
    """A page or file that could not be fetched; ``str()`` is the one-line reason."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason
        self.status = status

    def __str__(self) -> str:
        return f"{printable(self.url)}: {printable(self.reason)}"


@dataclass
class HttpCounts:
    requests: int = 0
    retries: int = 0


class PoliteClient:
    """GETs at most one request per ``min_interval`` seconds, retrying timeouts, dropped
    connections, 429 and 5xx with exponential backoff (or the server's Retry-After).

    A 403 or 404 is not retried: it will not change, and the error says what it means."""

    def __init__(
        self,
        min_interval: float = 1.0,
        retries: int = 3,
        backoff: float = 2.0,
        timeout: float = 30.0,
        max_bytes: int = 100 * 1024 * 1024,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if retries < 0 or min_interval < 0 or timeout <= 0:
            raise ValueError("retries and the delay must not be negative, and the timeout must be positive")
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.counts = HttpCounts()
        self._sleep = sleep
        self._clock = clock
        self._last_request = float("-inf")
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Language": "en-GB,en;q=0.8"},
            timeout=timeout, follow_redirects=True,
        )

    def __enter__(self) -> "PoliteClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get_bytes(self, url: str, params: dict | None = None, max_bytes: int = 20 * 1024 * 1024) -> bytes:
        """The body of a small response (a web-service answer, a page)."""
        parts: list[bytes] = []
        self._download(url, params, parts.append, restart=parts.clear, max_bytes=max_bytes)
        return b"".join(parts)

    def download(self, url: str, target: Path) -> str:
        """Stream ``url`` into ``target`` (whole or not at all); returns its sha256."""
        def fill(out) -> None:
            self._download(url, None, out.write, restart=lambda: (out.seek(0), out.truncate()))

        write_atomically(target, fill)
        return file_sha256(target)

    def _download(self, url: str, params: dict | None, write: Callable[[bytes], object],
                  restart: Callable[[], object], max_bytes: int | None = None) -> None:
        limit = max_bytes or self.max_bytes
        attempt = 0
        while True:
            self._wait_turn()
            self.counts.requests += 1
            try:
                with self._client.stream("GET", url, params=params) as response:
                    if response.status_code in _RETRY_STATUS and attempt < self.retries:
                        delay = _retry_after(response)
                        self._retry(self.backoff * 2 ** attempt if delay is None else delay)
                        attempt += 1
                        continue
                    _raise_for_status(url, response)
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise FetchError(url, f"larger than the {limit / 1048576:g} MB limit; not downloaded")
                        write(chunk)
                    return
            except _TRANSIENT as exc:
                if attempt >= self.retries:
                    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else f"failed ({type(exc).__name__})"
                    raise FetchError(url, f"{kind} after {attempt + 1} tries") from None
                restart()
                self._retry(self.backoff * 2 ** attempt)
                attempt += 1
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(url, f"cannot be fetched ({type(exc).__name__}: {exc})") from None

    def _retry(self, delay: float) -> None:
        self.counts.retries += 1
        self._sleep(delay)

    def _wait_turn(self) -> None:
        wait = self._last_request + self.min_interval - self._clock()
        if wait > 0:
            self._sleep(wait)
        self._last_request = self._clock()


def write_atomically(target: Path, fill: Callable[[object], None]) -> None:
    """``fill`` writes a hidden file beside ``target``, which then replaces it: a kill or an
    error leaves the old file or none, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            fill(out)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _retry_after(response: httpx.Response) -> float | None:
    """The server's Retry-After (seconds or an HTTP date), kept within 0 to 60 s."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def _raise_for_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status == 403:
        reason = "the site refused access (HTTP 403): it may block automated clients, or the page is not public"
    elif status == 404:
        reason = "not found (HTTP 404)"
    elif status == 401:
        reason = "the site asks for a login (HTTP 401)"
    else:
        reason = f"the site answered HTTP {status}"
    raise FetchError(url, reason, status)
