"""Passage's Python SDK (passage-identity 3.0.2, unmodified) against our auth-server: every method of `Passage`,
each result asserted. The only changes are the SDK's base URL (`Configuration(host=...)`) and its JWKS URL, exactly
the two lines MIGRATING.md gives."""

import base64
import json
import time
import uuid

import jwt
import pytest
import requests
from passageidentity import (
    CreateUserArgs,
    MagicLinkType,
    MagicLinkWithEmailArgs,
    MagicLinkWithUserArgs,
    MagicLinkChannel,
    MagicLinkOptions,
    Passage,
    PassageError,
    UpdateUserArgs,
    UserStatus,
)
from passageidentity.openapi_client.configuration import Configuration

from conftest import APPS, ORIGIN

KEYS = {app_id: key for app_id, key, _ in APPS}


def passage(server, app_id: str, key: str | None = None) -> Passage:
    # The two configuration lines of MIGRATING.md.
    Configuration.set_default(Configuration(host=f"{server.management_url}/v1"))
    client = Passage(app_id=app_id, api_key=key or KEYS[app_id])
    client.auth.jwks = jwt.PyJWKClient(f"{server.auth_url}/v1/apps/{app_id}/.well-known/jwks.json")
    return client


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def sign_in(server, app_id: str, client: Passage, email: str) -> dict:
    """What a backend does with its own e-mails: a magic link by the SDK, opened by the element (E14)."""
    link = client.auth.create_magic_link(
        MagicLinkWithEmailArgs(email=email, link_type=MagicLinkType.LOGIN, send=False)
    )
    answer = requests.patch(
        f"{server.auth_url}/v1/apps/{app_id}/magic-link/activate",
        json={"magic_link": link.secret},
        headers={"Origin": ORIGIN},
        timeout=10,
    )
    return {"status": answer.status_code, "body": answer.json()}


def refresh(server, app_id: str, refresh_token: str) -> int:
    answer = requests.post(
        f"{server.auth_url}/v1/apps/{app_id}/tokens", json={"refresh_token": refresh_token}, timeout=10
    )
    return answer.status_code


@pytest.fixture
def client(server) -> Passage:
    return passage(server, "sdk-app")


def test_create_then_get_returns_what_was_created(client):
    email = unique_email("create")
    created = client.user.create(CreateUserArgs(email=email, user_metadata={"plan": "pro"}))
    assert created.email == email
    assert created.status == UserStatus.ACTIVE
    assert created.user_metadata == {"plan": "pro"}
    assert created.webauthn_devices == [] and created.recent_events == []
    got = client.user.get(created.id)
    assert (got.id, got.email, got.email_verified, got.login_count) == (created.id, email, False, 0)
    assert got.created_at.tzinfo is not None


def test_get_by_identifier_finds_the_user_through_the_list(client):
    email = unique_email("lookup")
    created = client.user.create(CreateUserArgs(email=email))
    found = client.user.get_by_identifier(email.upper())
    assert found.id == created.id
    with pytest.raises(PassageError) as missing:
        client.user.get_by_identifier(unique_email("nobody"))
    assert (missing.value.status_code, missing.value.error_code) == (404, "user_not_found")


def test_the_paginated_list_pages_and_ends_with_an_empty_page(client):
    prefix = uuid.uuid4().hex[:8]
    for n in range(3):
        client.user.create(CreateUserArgs(email=f"{prefix}-{n}@example.com"))
    users_api = client.user.users_api
    headers = client.user.request_headers
    first = users_api.list_paginated_users(
        "sdk-app", limit=2, identifier=f"like:{prefix}", order_by="email:ASC", _headers=headers
    )
    assert [u.email for u in first.users] == [f"{prefix}-0@example.com", f"{prefix}-1@example.com"]
    assert (first.total_users, first.page, first.limit) == (3, 1, 2)
    assert "page=2" in first.links.next.href and first.links.previous.href == ""
    second = users_api.list_paginated_users(
        "sdk-app", page=2, limit=2, identifier=f"like:{prefix}", order_by="email:ASC", _headers=headers
    )
    assert [u.email for u in second.users] == [f"{prefix}-2@example.com"]
    past = users_api.list_paginated_users("sdk-app", page=50, limit=2, identifier=f"like:{prefix}", _headers=headers)
    assert past.users == [] and past.total_users == 3


def test_update_changes_email_and_metadata(client):
    created = client.user.create(CreateUserArgs(email=unique_email("before")))
    new_email = unique_email("after")
    updated = client.user.update(created.id, UpdateUserArgs(email=new_email, user_metadata={"team": "a"}))
    assert (updated.email, updated.user_metadata) == (new_email, {"team": "a"})
    assert client.user.get(created.id).email == new_email


def test_bad_input_names_the_field(client):
    with pytest.raises(PassageError) as bad:
        client.user.create(CreateUserArgs(email="not an address"))
    assert (bad.value.status_code, bad.value.error_code) == (400, "invalid_request")
    assert bad.value.message.startswith("email:")


def test_a_magic_link_signs_in_and_validate_jwt_accepts_the_token(server, client):
    email = unique_email("link")
    created = client.user.create(CreateUserArgs(email=email))
    link = client.auth.create_magic_link(
        MagicLinkWithUserArgs(user_id=created.id, channel=MagicLinkChannel.EMAIL,
                              link_type=MagicLinkType.LOGIN, send=False),
        MagicLinkOptions(magic_link_path="/welcome", ttl=5),
    )
    assert link.url == f"{ORIGIN}/welcome?psg_magic_link={link.secret}"
    assert (link.user_id, link.identifier, link.ttl, link.activated) == (created.id, email, 5, False)
    answer = requests.patch(f"{server.auth_url}/v1/apps/sdk-app/magic-link/activate",
                            json={"magic_link": link.secret}, timeout=10)
    assert answer.status_code == 200, answer.text
    token = answer.json()["auth_result"]["auth_token"]
    assert client.auth.validate_jwt(token) == created.id
    assert client.user.get(created.id).email_verified is True


def test_validate_jwt_rejects_tampered_expired_and_other_app_tokens(server, client):
    email = unique_email("jwt")
    client.user.create(CreateUserArgs(email=email))
    token = sign_in(server, "sdk-app", client, email)["body"]["auth_result"]["auth_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(jwt.InvalidSignatureError):
        client.auth.validate_jwt(f"{header}.{forged}.{signature}")

    other = passage(server, "other-app")
    other.user.create(CreateUserArgs(email=email))
    other_token = sign_in(server, "other-app", other, email)["body"]["auth_result"]["auth_token"]
    client = passage(server, "sdk-app")
    with pytest.raises(jwt.InvalidAudienceError):
        client.auth.validate_jwt(other_token)

    short = passage(server, "short-app")
    short.user.create(CreateUserArgs(email=email))
    short_token = sign_in(server, "short-app", short, email)["body"]["auth_result"]["auth_token"]
    time.sleep(2.1)
    with pytest.raises(jwt.ExpiredSignatureError):
        short.auth.validate_jwt(short_token)


def test_deactivate_stops_sign_in_and_refresh_and_activate_restores_sign_in(server, client):
    email = unique_email("paused")
    created = client.user.create(CreateUserArgs(email=email))
    session = sign_in(server, "sdk-app", client, email)["body"]["auth_result"]
    assert client.user.deactivate(created.id).status == UserStatus.INACTIVE
    assert refresh(server, "sdk-app", session["refresh_token"]) in (401, 403)
    with pytest.raises(PassageError) as refused:
        sign_in(server, "sdk-app", client, email)
    assert refused.value.status_code == 403
    # A link made before the deactivation does not sign in either: the element shows the server's message.
    assert client.user.activate(created.id).status == UserStatus.ACTIVE
    pending = client.auth.create_magic_link(
        MagicLinkWithEmailArgs(email=email, link_type=MagicLinkType.LOGIN, send=False)
    )
    client.user.deactivate(created.id)
    answer = requests.patch(f"{server.auth_url}/v1/apps/sdk-app/magic-link/activate",
                            json={"magic_link": pending.secret}, timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (403, "user_inactive")
    assert answer.json()["error"] == "This account is no longer active."
    client.user.activate(created.id)
    assert sign_in(server, "sdk-app", client, email)["status"] == 200


def test_revoke_refresh_tokens_ends_the_sessions(server, client):
    email = unique_email("sessions")
    created = client.user.create(CreateUserArgs(email=email))
    session = sign_in(server, "sdk-app", client, email)["body"]["auth_result"]
    assert client.user.revoke_refresh_tokens(created.id) is None
    assert refresh(server, "sdk-app", session["refresh_token"]) == 401


def test_devices_list_and_revoke(client):
    created = client.user.create(CreateUserArgs(email=unique_email("devices")))
    assert client.user.list_devices(created.id) == []
    with pytest.raises(PassageError) as missing:
        client.user.revoke_device(created.id, "no-such-device")
    assert (missing.value.status_code, missing.value.error_code) == (404, "device_not_found")


def test_delete_removes_the_user(client):
    created = client.user.create(CreateUserArgs(email=unique_email("gone")))
    assert client.user.delete(created.id) is None
    with pytest.raises(PassageError) as gone:
        client.user.get(created.id)
    assert (gone.value.status_code, gone.value.error_code) == (404, "user_not_found")


def test_a_wrong_key_or_another_apps_key_is_refused_alike(server):
    answers = []
    for app_id, key in [("sdk-app", "wrong"), ("sdk-app", KEYS["other-app"]), ("no-such-app", KEYS["sdk-app"])]:
        with pytest.raises(PassageError) as refused:
            passage(server, app_id, key).user.get("anyone")
        answers.append((refused.value.status_code, refused.value.error_code, refused.value.message))
    assert answers == [(401, "invalid_access_token", "Invalid or missing API key.")] * 3
