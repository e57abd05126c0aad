"""Faults injected on purpose, between the phones and the server.

* ``drop``: the request reaches the server and is committed, the answer is read, and then the
  phone is told the connection broke (a transport error): it must retry the same request with
  the same client ids and get the same outcome.
* ``dup``: the request is sent twice at once (a proxy's or the radio's retransmission); the
  phone sees one of the answers.
* ``reorder``: a phone uploads its pending track batches in a shuffled order.
* ``skew``: a phone's clock is off by minutes; it corrects from the server's time.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

import httpx

KINDS = ("drop", "dup", "reorder", "skew")


@dataclass(frozen=True)
class FaultPlan:
    kinds: frozenset[str] = frozenset()
    rate: float = 0.1

    @classmethod
    def parse(cls, spec: str | None, rate: float) -> FaultPlan:
        """``drop,dup,reorder,skew``, ``all`` or nothing."""
        if not spec:
            return cls(frozenset(), rate)
        names = {name.strip() for name in spec.split(",") if name.strip()}
        if names == {"all"}:
            names = set(KINDS)
        unknown = names - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(sorted(unknown))}; choose from {', '.join(KINDS)}")
        if not 0 <= rate <= 1:
            raise ValueError("the fault rate is a probability between 0 and 1")
        return cls(frozenset(names), rate)

    def on(self, kind: str) -> bool:
        return kind in self.kinds

    def strikes(self, kind: str, rng: random.Random) -> bool:
        return kind in self.kinds and rng.random() < self.rate


@dataclass
class FaultCounts:
    dropped: int = 0
    duplicated: int = 0
    reordered: int = 0
    skewed_phones: int = 0
    by_route: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "dropped_after_commit": self.dropped,
            "duplicated": self.duplicated,
            "reordered_uploads": self.reordered,
            "skewed_phones": self.skewed_phones,
        }


class DroppedResponse(httpx.ReadError):
    """The server answered, but the phone never got the answer (an injected fault)."""

    def __init__(self, message: str, *, request: httpx.Request, status_code: int) -> None:
        super().__init__(message, request=request)
        self.status_code = status_code


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport; drops answers after the fact and duplicates requests."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, plan: FaultPlan, rng: random.Random, counts: FaultCounts
    ) -> None:
        self.inner = inner
        self.plan = plan
        self.rng = rng
        self.counts = counts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.plan.strikes("dup", self.rng):
            response = await self._twice(request)
        else:
            response = await self.inner.handle_async_request(request)
        if self.plan.strikes("drop", self.rng):
            await response.aread()
            await response.aclose()
            self.counts.dropped += 1
            raise DroppedResponse(
                "the connection broke before the answer arrived",
                request=request,
                status_code=response.status_code,
            )
        return response

    async def _twice(self, request: httpx.Request) -> httpx.Response:
        """Send the request and a copy together; answer with the original's response and note the
        copy's status on it, so the phone can tell a fault-made 5xx from a real one."""
        body = await request.aread()
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        copy.extensions = dict(request.extensions)

        async def delayed_copy() -> httpx.Response:
            await asyncio.sleep(self.rng.uniform(0, 0.03))
            answer = await self.inner.handle_async_request(copy)
            await answer.aread()
            await answer.aclose()
            return answer

        original, duplicate = await asyncio.gather(
            self.inner.handle_async_request(request), delayed_copy(), return_exceptions=True
        )
        self.counts.duplicated += 1
        if isinstance(original, BaseException):
            raise original
        original.extensions["simulate.duplicated"] = True
        if isinstance(duplicate, httpx.Response):
            original.extensions["simulate.copy_status"] = duplicate.status_code
        return original
