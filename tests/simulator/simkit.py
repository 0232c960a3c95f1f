"""Helpers shared by the simulator tests: a hand-moved clock and a small authenticated client."""

from __future__ import annotations

from typing import Any

import httpx2

from zoom_rooms_mcp.simulator import DEMO_TOKEN_URL, SimCredentials, Simulator

START = 1_800_000_000.0  # 2027-01-15T08:00:00Z
CREDS = SimCredentials()
TOKEN_FORM = {"grant_type": "account_credentials", "account_id": CREDS.account_id}
BASIC = (CREDS.client_id, CREDS.client_secret)
BASE = DEMO_TOKEN_URL.removesuffix("/oauth/token")


class ManualClock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def in_process_client(sim: Simulator) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=sim.transport(), base_url=BASE)


async def fetch_token(client: httpx2.AsyncClient) -> str:
    response = await client.post("/oauth/token", auth=BASIC, data=TOKEN_FORM)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


class Api:
    """GETs below /v2 with a bearer token."""

    def __init__(self, client: httpx2.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def get(self, path: str, **params: Any) -> httpx2.Response:
        return await self.client.get(f"/v2{path}", params=params, headers={"Authorization": f"Bearer {self.token}"})

    async def json(self, path: str, **params: Any) -> Any:
        response = await self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    async def all_pages(self, path: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        token = ""
        while True:
            body = await self.json(path, **params, **({"next_page_token": token} if token else {}))
            items.extend(body[key])
            token = body["next_page_token"]
            if not token:
                return items
