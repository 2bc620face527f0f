"""A real nginx on loopback running the documented load-balancer config (docs/deploy/nginx.conf), for
tests and benchmarks. Only what cannot be the same on a test machine is changed: the address it
listens on, the workers' ports (in every upstream), a throwaway certificate, and paths under a temporary folder. A
response header names the worker(s) nginx tried, so a test can tell who answered.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from .workers import ROOT, free_port

SITE = ROOT / "docs" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
OPENSSL = shutil.which("openssl")
UPSTREAM_HEADER = "X-Upstream"
MISSING = "nginx and openssl are needed (.ci/services.sh installs nginx)"


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(port: int, workers: list[int], cert: Path, key: Path) -> str:
    site = SITE.read_text(encoding="utf-8")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in workers)
    site, replaced = re.subn(r"(?:    server 127\.0\.0\.1:\d+ .*\n)+", servers, site)  # every upstream: the same workers
    assert replaced >= 1 and f"listen 127.0.0.1:{port} ssl;" in site, "docs/deploy/nginx.conf changed shape: update tests/nginx.py"
    return site


class Nginx:
    """``nginx -c CONF -p PREFIX -g 'daemon off;'`` as a subprocess, stopped on `stop`."""

    def __init__(self, folder: Path, workers: list[int]):
        self.folder = folder
        self.port = free_port()
        cert, key = self_signed(folder)
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / temp).mkdir(exist_ok=True)
        self.conf = folder / "nginx.conf"
        self.conf.write_text(
            f"""worker_processes 1;
{"user root;" if os.geteuid() == 0 else ""}
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    add_header {UPSTREAM_HEADER} $upstream_addr always;
{site_config(self.port, workers, cert, key)}
}}
""",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [NGINX, "-c", str(self.conf), "-p", str(folder), "-e", str(folder / "error.log"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_listening()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _wait_listening(self, timeout: float = 10) -> None:
        import socket  # noqa: PLC0415

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx did not start: {self.process.stderr.read().decode()}{self.error_log()}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError(f"nginx is not listening on {self.port}: {self.error_log()}")

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
