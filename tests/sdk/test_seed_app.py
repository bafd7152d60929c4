"""Issue 11 item 4: the seed's own Flask backend (seed_app/app.py, as Passage's example-python 02-Custom-Registration)
works again, pointed at our auth-server by the two lines of MIGRATING.md: a user registered through our stack is
recognised by it, and a user of its old Passage days, imported with `auth-server import`, finds their old row."""

import sqlite3
import subprocess
import threading
import uuid

import pytest
import requests
from werkzeug.serving import make_server

from conftest import ORIGIN
from seed_app.app import create_app
from test_passage_sdk import KEYS, passage, sign_in, unique_email


@pytest.fixture
def seed_app(server, tmp_path):
    """The Flask app on a real port (its calls to the auth-server are real HTTP too)."""
    database = tmp_path / "seed.sqlite3"
    app = create_app("sdk-app", KEYS["sdk-app"], server.management_url, server.auth_url, str(database))
    http = make_server("127.0.0.1", 0, app)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_port}", database
    finally:
        http.shutdown()


def register(server, email: str) -> str:
    """A registration as the element makes it (E3, then the address proven by a link opened through E14); the auth
    token the SPA would put in the `psg_auth_token` cookie."""
    created = requests.post(f"{server.auth_url}/v1/apps/sdk-app/users", json={"identifier": email},
                            headers={"Origin": ORIGIN}, timeout=10)
    assert created.status_code in (200, 201), created.text
    signed_in = sign_in(server, "sdk-app", passage(server, "sdk-app"), email)
    assert signed_in["status"] == 200, signed_in
    return signed_in["body"]["auth_result"]["auth_token"]


def test_a_user_registered_through_our_stack_is_recognised_by_the_seed_app(server, seed_app):
    url, _ = seed_app
    email = unique_email("seed")
    token = register(server, email)

    saved = requests.post(f"{url}/user", json={"name": "Ada <Lovelace>"}, headers={"Authorization": f"Bearer {token}"},
                          timeout=10)
    assert saved.status_code == 200, saved.text
    dashboard = requests.get(f"{url}/dashboard", cookies={"psg_auth_token": token}, timeout=10,
                             allow_redirects=False)
    assert dashboard.status_code == 200, dashboard.text
    assert "<h1>Welcome Ada &lt;Lovelace&gt;!</h1>" in dashboard.text
    assert f'<span id="email">{email}</span>' in dashboard.text

    # A tampered cookie is not a user: back to the start page, as the example does.
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    refused = requests.get(f"{url}/dashboard", cookies={"psg_auth_token": forged}, timeout=10,
                           allow_redirects=False)
    assert refused.status_code == 302
    assert requests.post(f"{url}/user", json={"name": "x"}, timeout=10).status_code == 401


def test_an_imported_passage_user_finds_the_row_the_seed_app_kept_for_them(server, seed_app, tmp_path):
    url, database = seed_app
    # Before the shutdown: Passage knew this user by this id, and the seed app keyed its row by it.
    passage_id = "Imp" + uuid.uuid4().hex[:21]
    email = unique_email("imported")
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO user (passage_id, name) VALUES (?, ?)", (passage_id, "Grace Hopper"))
    export = tmp_path / "passage-export.csv"
    export.write_text(f"ID,Email,Email Verified,Status,Created At\n{passage_id},{email},true,active,2024-05-01T12:00:00Z\n")

    imported = subprocess.run(server.command + ["import", "--app", "sdk-app", str(export)],
                              capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("1 imported"), imported.stdout

    # The user signs in with a link to their address (no passkey came along) and the seed app knows them.
    signed_in = sign_in(server, "sdk-app", passage(server, "sdk-app"), email)
    assert signed_in["status"] == 200, signed_in
    token = signed_in["body"]["auth_result"]["auth_token"]
    dashboard = requests.get(f"{url}/dashboard", cookies={"psg_auth_token": token}, timeout=10)
    assert "<h1>Welcome Grace Hopper!</h1>" in dashboard.text, dashboard.text
    assert f'<span id="email">{email}</span>' in dashboard.text
    assert passage(server, "sdk-app").user.get(passage_id).created_at.isoformat().startswith("2024-05-01T12:00:00")
