"""The seed's own backend, written as Passage's example-python `02-Custom-Registration` is: Flask, a `User` table
keyed by `passage_id` with the custom `name` field, `POST /user` saving the name of the signed-in user, and
`/dashboard` verifying the `psg_auth_token` cookie with `passage-identity` and reading the e-mail through the SDK.

A test fixture (tests/sdk/test_seed_app.py), not a product part. Nothing in it knows about leptos-passage except
the two configuration lines of MIGRATING.md in `create_app`."""

import sqlite3

import jwt
from flask import Flask, g, jsonify, redirect, render_template_string, request
from passageidentity import Passage, PassageError
from passageidentity.openapi_client.configuration import Configuration

DASHBOARD = """<!doctype html>
<title>Dashboard</title>
<h1>Welcome {{ name }}!</h1>
<p>Your e-mail address: <span id="email">{{ email }}</span></p>"""


def create_app(app_id: str, api_key: str, management_url: str, auth_url: str, database: str) -> Flask:
    app = Flask(__name__)

    # The two lines MIGRATING.md gives; before them this app talked to api.passage.id and auth.passage.id.
    Configuration.set_default(Configuration(host=f"{management_url}/v1"))
    passage = Passage(app_id=app_id, api_key=api_key)
    passage.auth.jwks = jwt.PyJWKClient(f"{auth_url}/v1/apps/{app_id}/.well-known/jwks.json")

    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS user (id INTEGER PRIMARY KEY, passage_id TEXT UNIQUE NOT NULL, name TEXT)"
        )

    def db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(database)
        return g.db

    @app.teardown_appcontext
    def close_db(_error) -> None:
        connection = g.pop("db", None)
        if connection is not None:
            connection.close()

    def passage_user_id() -> str | None:
        """The signed-in user: the `psg_auth_token` cookie (or a Bearer header), verified by the SDK."""
        token = request.cookies.get("psg_auth_token")
        header = request.headers.get("Authorization", "")
        if not token and header.startswith("Bearer "):
            token = header[len("Bearer "):]
        if not token:
            return None
        try:
            return passage.auth.validate_jwt(token)
        # passage-identity 3.0.2 raises PassageError for a token of another app and lets PyJWT's own errors (a bad
        # signature, an expired token) through.
        except (PassageError, jwt.PyJWTError):
            return None

    @app.post("/user")
    def save_user():
        passage_id = passage_user_id()
        if passage_id is None:
            return jsonify({"error": "unauthorized"}), 401
        name = (request.get_json(silent=True) or {}).get("name", "")
        db().execute(
            "INSERT INTO user (passage_id, name) VALUES (?, ?) "
            "ON CONFLICT (passage_id) DO UPDATE SET name = excluded.name",
            (passage_id, name),
        )
        db().commit()
        return jsonify({"passage_id": passage_id, "name": name})

    @app.get("/dashboard")
    def dashboard():
        passage_id = passage_user_id()
        if passage_id is None:
            return redirect("/")
        row = db().execute("SELECT name FROM user WHERE passage_id = ?", (passage_id,)).fetchone()
        email = passage.user.get(passage_id).email
        return render_template_string(DASHBOARD, name=row[0] if row else "", email=email)

    return app
