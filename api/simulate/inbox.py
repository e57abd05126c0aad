"""Reading a user's inbox as a phone does: with the cursor, oldest first, marking each item read
or acknowledged once acted on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from api.simulate.client import ApiClient
from api.simulate.world import World

HISTORY_PAGE = 500


class Inbox:
    def __init__(self, world: World, client: ApiClient) -> None:
        self.world, self.client = world, client
        self.cursor: str | None = None

    async def _page(self, limit: int = 100) -> dict:
        params = {"limit": limit, **({"after": self.cursor} if self.cursor else {})}
        return await self.client.call("GET", "/inbox", params=params)

    async def skip_history(self) -> None:
        """A phone set up now acts on what arrives from now on: page to the end of the inbox."""
        while True:
            page = await self._page(HISTORY_PAGE)
            self.cursor = page["next"] or self.cursor
            if len(page["items"]) < HISTORY_PAGE:
                return

    async def drain(self, act: Callable[[dict], Awaitable[bool]]) -> None:
        page = await self._page()
        for item in page["items"]:
            acted = await act(item)
            await self.client.call("POST", f"/inbox/{item['id']}/{'ack' if acted else 'read'}")
            if acted:
                self.world.ledger.acknowledged.append(item["id"])
                self.world.tally.inbox_acknowledged += 1
            else:
                self.world.tally.inbox_read += 1
        self.cursor = page["next"] or self.cursor
