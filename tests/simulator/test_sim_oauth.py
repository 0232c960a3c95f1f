"""Token endpoint and bearer-token checks (REFERENCE §1, §2.1)."""

from __future__ import annotations

import base64

import httpx2
import pytest

from tests.simulator.simkit import BASIC, CREDS, TOKEN_FORM, Api, ManualClock, fetch_token, in_process_client
from zoom_rooms_mcp.simulator import SimCredentials, Simulator

pytestmark = pytest.mark.anyio


async def test_token_success_with_form_body(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        response = await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "api_url"}
    assert body["access_token"].startswith("eyJ")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "room:read:admin dashboard_zr:read:admin dashboard_home:read:admin"
    assert body["api_url"] == "http://zoom-simulator.localhost"
    assert sim.stats.token_requests == 1
    assert sim.stats.by_endpoint["token"] == 1


async def test_token_success_with_query_string(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        response = await client.post("/oauth/token", auth=BASIC, params=TOKEN_FORM)
    assert response.status_code == 200, response.text


async def test_custom_credentials_and_granted_scopes(sim_clock: ManualClock) -> None:
    creds = SimCredentials(account_id="acc-ü", client_id="cid", client_secret="sécret")
    sim = Simulator(credentials=creds, scopes=["zoom_rooms:read:list_rooms:admin"], clock=sim_clock)
    async with in_process_client(sim) as client:
        ok = await client.post(
            "/oauth/token",
            data={"grant_type": "account_credentials", "account_id": "acc-ü"},
            headers={"Authorization": "Basic " + base64.b64encode("cid:sécret".encode()).decode()},
        )
        assert ok.status_code == 200
        assert ok.json()["scope"] == "zoom_rooms:read:list_rooms:admin"
        wrong = await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
        assert wrong.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("auth", "form", "error", "reason"),
    [
        (("sim-client-id", "nope"), TOKEN_FORM, "invalid_client", "Invalid client_id or client_secret"),
        (("someone-else", CREDS.client_secret), TOKEN_FORM, "invalid_client", "Invalid client_id or client_secret"),
        (None, TOKEN_FORM, "invalid_client", "Invalid client_id or client_secret"),
        (BASIC, {**TOKEN_FORM, "account_id": "other"}, "invalid_request", "Bad Request"),
        (BASIC, {"grant_type": "account_credentials"}, "invalid_request", "Bad Request"),
        (BASIC, {**TOKEN_FORM, "grant_type": "client_credentials"}, "unsupported_grant_type", "unsupported grant type"),
        (BASIC, {"account_id": CREDS.account_id}, "unsupported_grant_type", "unsupported grant type"),
    ],
)
async def test_token_errors(
    sim: Simulator, auth: tuple[str, str] | None, form: dict[str, str], error: str, reason: str
) -> None:
    async with in_process_client(sim) as client:
        basic = base64.b64encode(":".join(auth).encode()).decode() if auth else ""
        response = await client.post(
            "/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"} if auth else {}
        )
    assert response.status_code == 400
    assert response.json() == {"reason": reason, "error": error}


async def test_garbled_basic_header_is_invalid_client(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        for header in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Bearer x"):
            response = await client.post("/oauth/token", data=TOKEN_FORM, headers={"Authorization": header})
            assert response.json()["error"] == "invalid_client"


async def test_missing_unknown_and_expired_tokens(sim: Simulator, sim_clock: ManualClock) -> None:
    invalid = {"code": 124, "message": "Invalid access token."}
    async with in_process_client(sim) as client:
        missing = await client.get("/v2/rooms")
        assert (missing.status_code, missing.json()) == (401, invalid)
        unknown = await Api(client, "eyJnot-a-token").get("/rooms")
        assert (unknown.status_code, unknown.json()) == (401, invalid)
        api = Api(client, await fetch_token(client))
        sim_clock.advance(3599)
        assert (await api.get("/rooms")).status_code == 200
        sim_clock.advance(1)
        expired = await api.get("/rooms")
        assert (expired.status_code, expired.json()) == (401, {"code": 124, "message": "Access token is expired."})


async def test_many_tokens_are_valid_at_once(sim: Simulator, sim_clock: ManualClock) -> None:
    async with in_process_client(sim) as client:
        first = Api(client, await fetch_token(client))
        sim_clock.advance(1800)
        second = Api(client, await fetch_token(client))
        assert first.token != second.token
        assert (await first.get("/rooms")).status_code == (await second.get("/rooms")).status_code == 200
        sim_clock.advance(1800)  # the first one is now an hour old
        assert (await first.get("/rooms")).status_code == 401
        assert (await second.get("/rooms")).status_code == 200


async def test_revocation_invalidates_every_issued_token(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        tokens = [Api(client, await fetch_token(client)) for _ in range(3)]
        sim.revoke_tokens()
        for api in tokens:
            response = await api.get("/rooms")
            assert (response.status_code, response.json()["code"]) == (401, 124)
        fresh = Api(client, await fetch_token(client))
        assert (await fresh.get("/rooms")).status_code == 200


async def test_tokens_keep_their_scopes_and_set_scopes_revokes(sim: Simulator) -> None:
    async with in_process_client(sim) as client:
        old = Api(client, await fetch_token(client))
        sim.set_scopes(["zoom_rooms:read:list_rooms:admin"], revoke=False)
        assert (await old.get("/rooms/locations")).status_code == 200  # issued with the classic scopes
        new = Api(client, await fetch_token(client))
        assert (await new.get("/rooms/locations")).json()["code"] == 4711
        sim.set_scopes(["room:read:admin"])
        assert (await old.get("/rooms")).status_code == (await new.get("/rooms")).status_code == 401
        assert sim.scopes == ("room:read:admin",)


async def test_in_process_transport_ignores_the_host(sim: Simulator) -> None:
    async with httpx2.AsyncClient(transport=sim.transport()) as client:
        response = await client.post("https://zoom.us/oauth/token", auth=BASIC, data=TOKEN_FORM)
        assert response.status_code == 200
        token = response.json()["access_token"]
        rooms = await client.get("https://api.zoom.us/v2/rooms", headers={"Authorization": f"Bearer {token}"})
        assert rooms.status_code == 200
        assert len(rooms.json()["rooms"]) == 30
