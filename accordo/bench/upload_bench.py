"""A 100 MB upload through a real server, against a raw disk write of the same size (dd).

The server is gunicorn (one sync worker) on the bench database; the body is streamed from a
generator, so neither side holds the file. Measured: the upload's throughput as a ratio to dd
writing 100 MB into the same data folder (both through the page cache, neither fsyncs), and how
much the worker's resident memory grows while it takes the file in (sampled every 20 ms).
"""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accordo.accounts.models import User
from accordo.dossier.models import Folder

SIZE = 100 * 1024 * 1024
BLOCK = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children")
    for _ in range(100):
        pids = children.read_text().split() if children.exists() else []
        if pids:
            return int(pids[0])
        time.sleep(0.05)
    raise RuntimeError("gunicorn started no worker")


def dd_seconds(data_dir: Path, size: int = SIZE) -> float:
    target = data_dir / "dd-bench.bin"
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (fixed arguments)
        ["/bin/dd", "if=/dev/zero", f"of={target}", f"bs={BLOCK}", f"count={size // BLOCK}"],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def _body(boundary: str, csrf: str, size: int) -> tuple[list[bytes], bytes, int]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="size"\r\n\r\n{size}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="groot.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return [head], tail, len(head) + size + len(tail)


def _stream(head: list[bytes], tail: bytes, size: int) -> Iterator[bytes]:
    yield from head
    block = b"%PDF-1.4\n" + os.urandom(BLOCK - 9)
    for _ in range(size // BLOCK):
        yield block
    yield tail


def measure(staff: User, folder: Folder, *, size: int = SIZE, log: Any = print) -> dict[str, Any]:
    """Upload ``size`` bytes once through gunicorn; returns the row for the results."""
    data_dir = Path(settings.DATA_DIR)
    dd = dd_seconds(data_dir, size)
    client = Client()
    client.force_login(staff)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and field agree
    port = _free_port()
    env = {**os.environ, "ACCORDO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "accordo.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "120", "--log-level", "warning"],
        cwd=settings.BASE_DIR,
        env=env,
    )  # fmt: skip
    try:
        worker = _worker_pid(server.pid)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        path = reverse("dossier:staff_folder_upload", args=[folder.public_id])
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        warm.request("GET", reverse("dossier:staff_folder", args=[folder.public_id]), headers={"Cookie": cookie})
        warm.getresponse().read()
        warm.close()
        before = _rss_kib(worker)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss_kib(worker))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        boundary = "accordo" + secrets.token_hex(8)
        head, tail, length = _body(boundary, csrf, size)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        connection.putrequest("POST", path)
        for name, value in {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
            "Cookie": cookie,
            "Accept": "application/json",
            "Referer": f"http://127.0.0.1:{port}/",
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        for chunk in _stream(head, tail, size):
            connection.send(chunk)
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        if response.status != 200:
            raise RuntimeError(f"upload answered {response.status}: {answer[:300]!r}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    ratio = round(dd / elapsed, 2)
    growth_mib = round((peak[0] - before) / 1024, 1)
    log(f"  {size // BLOCK} MB upload: {elapsed:.2f} s, dd {dd:.2f} s, ratio {ratio}, worker RSS +{growth_mib} MiB")
    return {
        "megabytes": size // BLOCK,
        "seconds": round(elapsed, 3),
        "dd_seconds": round(dd, 3),
        "throughput_ratio_to_dd": ratio,
        "rss_growth_mib": growth_mib,
    }
