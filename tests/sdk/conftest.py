"""Starts one auth-server (the debug binary) on ephemeral ports with a config file of three apps, for the tests of
test_passage_sdk.py. The binary is $AUTH_SERVER_BIN, or target/debug/auth-server of this checkout."""

import base64
import hashlib
import os
import re
import secrets
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (app id, API key, auth token lifetime in seconds). short-app's tokens expire at once: the expired-token case.
APPS = [
    ("sdk-app", "sdk-app-key-" + secrets.token_urlsafe(24), 3600),
    ("other-app", "other-app-key-" + secrets.token_urlsafe(24), 3600),
    ("short-app", "short-app-key-" + secrets.token_urlsafe(24), 1),
]
ORIGIN = "http://localhost:8080"


def config_toml() -> str:
    apps = []
    for app_id, key, lifetime in APPS:
        apps.append(
            f"""
[[apps]]
id = "{app_id}"
name = "{app_id} name"
auth_origin = "{ORIGIN}"
redirect_url = "/dashboard"
auth_token_lifetime_secs = {lifetime}
management_api_key_sha256 = ["{hashlib.sha256(key.encode()).hexdigest()}"]

[apps.auth_methods.passkeys]

[apps.auth_methods.magic_link]
ttl = 300
"""
        )
    return "".join(apps)


class Server:
    def __init__(self, auth_url: str, management_url: str, log: list, command: list):
        self.auth_url = auth_url
        self.management_url = management_url
        self.log = log
        # The binary with this server's --config and --database-url: `command + ["import", ...]`.
        self.command = command


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("AUTH_SERVER_BIN", str(ROOT / "target" / "debug" / "auth-server"))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "apps.toml"
        config.write_text(config_toml())
        env = dict(os.environ)
        env["KEY_ENCRYPTION_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
        env["RUST_LOG"] = "warn"
        process = subprocess.Popen(
            [
                binary,
                "--config", str(config),
                "--bind", "127.0.0.1:0",
                "--management-bind", "127.0.0.1:0",
                "--database-url", f"sqlite://{tmp}/auth.sqlite3",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        log: list = []
        urls: dict = {}
        ready = threading.Event()

        def read() -> None:
            for line in process.stdout:
                log.append(line)
                if m := re.search(r"listening on (http://\S+)", line):
                    urls["auth"] = m.group(1)
                if m := re.search(r"management API on (http://\S+)", line):
                    urls["management"] = m.group(1)
                if len(urls) == 2:
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not ready.wait(0.1):
            if time.monotonic() > deadline:
                break
        if len(urls) != 2:
            process.kill()
            pytest.fail("auth-server did not start:\n" + "".join(log))
        try:
            command = [binary, "--config", str(config), "--database-url", f"sqlite://{tmp}/auth.sqlite3"]
            yield Server(urls["auth"], urls["management"], log, command)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
