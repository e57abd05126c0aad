"""Moving a handover a step, on either side, when an answer may have been lost on the way.

A step is not idempotent on the server (a repeat is a 409), so after a 409 the phone reads the
handover back: if it already stands at (or past) the wanted state, the lost answer was a success.
"""

from __future__ import annotations

from api.simulate.client import ApiClient, ApiError
from api.simulate.world import World, at_or_past

STEP_PATHS = {"accepted": "accepted", "in_transit": "in-transit", "arrived": "arrived", "closed": "closed"}


async def state_of(client: ApiClient, handover_id: str) -> str:
    return (await client.call("GET", f"/handovers/{handover_id}"))["state"]


async def step(world: World, client: ApiClient, handover_id: str, wanted: str) -> None:
    try:
        await client.call("POST", f"/handovers/{handover_id}/{STEP_PATHS[wanted]}", json={})
    except ApiError as exc:
        if exc.status != 409:
            raise
        current = await state_of(client, handover_id)
        if not at_or_past(current, wanted):
            raise
    world.ledger.advance_handover(handover_id, wanted)
    world.tally.handovers[wanted] += 1
