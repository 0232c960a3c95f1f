"""A separate process that fetches a token through the shared cache dir (used by the multi-process tests).

Usage: python -m tests.zoom.token_worker TOKEN_URL CACHE_DIR. Prints "ready", waits for a line on
stdin (the start signal, so that all workers race), then prints "<source> <token>".
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import httpx2

from tests.zoom.fakes import token_manager


async def main(token_url: str, cache_dir: str) -> None:
    async with httpx2.AsyncClient() as http:
        tokens = token_manager(http, Path(cache_dir), token_url=token_url)
        print("ready", flush=True)
        sys.stdin.readline()
        result = await tokens.get_token()
        print(result.source, result.token.value, flush=True)


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])
