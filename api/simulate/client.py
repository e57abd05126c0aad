"""One phone's HTTP client: login and token refresh, retries with the same body after a lost
connection, clock correction from every answer, and a tally of what went over the wire."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from api.simulate.clock import PhoneClock
from api.simulate.faults import DroppedResponse, FaultCounts, FaultPlan, FaultyTransport

API = "/api/v1"
_ID_SEGMENT = re.compile(
    r"/(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d+)(?=/|$)"
)
OUTAGE_S = 90.0  # how long a phone keeps resending through a dead network or a server away
SERVER_ERROR_ATTEMPTS = 4


def route_of(method: str, path: str) -> str:
    """``POST /patrols/{id}/track``: the route a request took, without ids."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', path.removeprefix(API))}"


@dataclass
class Traffic:
    """What every phone of the fleet sent and got back."""

    by_route: Counter = field(default_factory=Counter)
    server_errors: list[dict] = field(default_factory=list)
    recovered_server_errors: Counter = field(default_factory=Counter)  # route -> 5xx answers
    transport_retries: int = 0
    racing_copies: int = 0  # 409 concurrent-duplicate: a copy was being stored at that moment
    outage_retries: int = 0  # 503 with Retry-After: the server's database was away
    relogins: int = 0
    refreshes: int = 0

    def record(self, method: str, path: str, status: int) -> None:
        self.by_route[(route_of(method, path), status)] += 1

    def table(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (route, status), count in sorted(self.by_route.items()):
            out.setdefault(route, {})[str(status)] = count
        return out


class ApiError(Exception):
    """An answer the phone did not expect; ``problem`` is the RFC 9457 body when there is one."""

    def __init__(self, method: str, path: str, status: int, problem: Any) -> None:
        detail = problem.get("detail") if isinstance(problem, dict) else problem
        super().__init__(f"{method} {path} answered {status}: {detail}")
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {}

    @property
    def kind(self) -> str:
        return str(self.problem.get("type", "")).rsplit("/", 1)[-1]


@dataclass
class Credentials:
    username: str
    password: str


class ApiClient:
    def __init__(
        self,
        *,
        base_url: str,
        credentials: Credentials,
        clock: PhoneClock,
        traffic: Traffic,
        plan: FaultPlan,
        rng: random.Random,
        fault_counts: FaultCounts,
        refresh_after_s: float | None = None,
        network: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        transport = FaultyTransport(network or httpx.AsyncHTTPTransport(), plan, rng, fault_counts)
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/") + API, transport=transport, timeout=60)
        self.credentials = credentials
        self.clock = clock
        self.traffic = traffic
        self.refresh_after_s = refresh_after_s
        self._access: str | None = None
        self._refresh: str | None = None
        self._refresh_due = 0.0
        self._auth_lock = asyncio.Lock()

    async def close(self) -> None:
        await self.http.aclose()

    # Authentication -------------------------------------------------------------------------

    async def login(self) -> None:
        response = await self._send(
            "POST",
            "/auth/token",
            data={"username": self.credentials.username, "password": self.credentials.password},
        )
        if response.status_code != 200:
            raise ApiError("POST", "/auth/token", response.status_code, _body(response))
        self._take(response.json())

    def _take(self, pair: dict) -> None:
        self._access, self._refresh = pair["access_token"], pair["refresh_token"]
        lifetime = self.refresh_after_s or 0.8 * pair["expires_in"]
        self._refresh_due = time.monotonic() + lifetime

    async def _renew(self, stale_access: str | None) -> None:
        """Swap the refresh token for a new pair; log in again when it is refused (a refresh whose
        answer was lost has already used the old token up)."""
        async with self._auth_lock:
            if self._access != stale_access:
                return  # another request of this phone renewed it meanwhile
            if self._refresh is not None:
                response = await self._send("POST", "/auth/refresh", json={"refresh_token": self._refresh})
                if response.status_code == 200:
                    self.traffic.refreshes += 1
                    self._take(response.json())
                    return
            self.traffic.relogins += 1
            await self.login()

    # Requests -------------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict | None = None,
        expect: tuple[int, ...] = (200, 201, 204),
    ) -> Any:
        """Send a request (retried with the same body until it gets an answer); the JSON body of an
        expected answer, or ApiError."""
        if self._access is None:
            await self.login()
        if time.monotonic() >= self._refresh_due:
            await self._renew(self._access)
        access = self._access
        response = await self._send(method, path, json=json, params=params, token=access)
        if response.status_code == 401:
            await self._renew(access)
            response = await self._send(method, path, json=json, params=params, token=self._access)
        if response.status_code not in expect:
            raise ApiError(method, path, response.status_code, _body(response))
        return _body(response) if response.status_code != 204 else None

    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: dict | None = None,
        params: dict | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """One logical request: retried after lost connections and server errors. A 5xx counts as
        recovered only when an injected fault touched this request and a retry then succeeded."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        faulted, server_errors = False, []
        transport_failures = 0
        first_failure: float | None = None
        while True:
            sent = self.clock.device_now()
            try:
                response = await self.http.request(
                    method, path, json=json, data=data, params=params, headers=headers
                )
            except DroppedResponse as exc:
                faulted = True
                self.traffic.record(method, path, exc.status_code)
                if exc.status_code >= 500:
                    server_errors.append({"route": route_of(method, path), "status": exc.status_code})
                transport_failures += 1
                first_failure = first_failure or time.monotonic()
                if time.monotonic() - first_failure > OUTAGE_S:
                    raise
            except httpx.TransportError:
                transport_failures += 1
                first_failure = first_failure or time.monotonic()
                if time.monotonic() - first_failure > OUTAGE_S:
                    raise
            else:
                self.clock.observe(response, sent, self.clock.device_now())
                self.traffic.record(method, path, response.status_code)
                copy_status = response.extensions.get("simulate.copy_status")
                if copy_status is not None:
                    faulted = True
                    self.traffic.record(method, path, copy_status)
                    if copy_status >= 500:
                        server_errors.append({"route": route_of(method, path), "status": copy_status})
                faulted = faulted or bool(response.extensions.get("simulate.duplicated"))
                if (
                    _server_away(response)
                    and time.monotonic() - (first_failure or time.monotonic()) <= OUTAGE_S
                ):
                    first_failure = first_failure or time.monotonic()
                    self.traffic.outage_retries += 1
                    await asyncio.sleep(min(5.0, float(response.headers.get("Retry-After", "1"))))
                    continue
                if _racing_copy(response):  # resend after Retry-After: the answer is the stored record
                    self.traffic.racing_copies += 1
                    await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                    continue
                if response.status_code >= 500:
                    server_errors.append(self._server_error(method, path, response))
                if response.status_code < 500 or len(server_errors) >= SERVER_ERROR_ATTEMPTS:
                    self._settle(server_errors, faulted, recovered=response.status_code < 500)
                    return response
            self.traffic.transport_retries += 1
            await asyncio.sleep(min(1.0, 0.05 * 2 ** min(transport_failures + len(server_errors), 5)))

    @staticmethod
    def _server_error(method: str, path: str, response: httpx.Response) -> dict:
        body = _body(response)
        detail = body.get("detail") if isinstance(body, dict) else str(body)[:200]
        return {"route": route_of(method, path), "status": response.status_code, "detail": detail}

    def _settle(self, server_errors: list[dict], faulted: bool, recovered: bool) -> None:
        if not server_errors:
            return
        if faulted and recovered:
            self.traffic.recovered_server_errors.update(error["route"] for error in server_errors)
        else:
            self.traffic.server_errors.extend(server_errors)


def _server_away(response: httpx.Response) -> bool:
    return response.status_code == 503 and "Retry-After" in response.headers


def _racing_copy(response: httpx.Response) -> bool:
    if response.status_code != 409:
        return False
    body = _body(response)
    return isinstance(body, dict) and str(body.get("type", "")).endswith("/concurrent-duplicate")


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
