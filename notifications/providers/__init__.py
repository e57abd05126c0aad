"""Push providers behind one small interface.

A provider turns a batch of ``PushMessage`` into one ``PushResult`` each, in order. It says
whether a failure is permanent (the token is dead: the device gets retired) or transient (the
delivery is retried with backoff). FCM is the provider shipped; a vendor service such as
Huawei Push Kit, Xiaomi Mi Push or JPush plugs in by implementing ``PushProvider`` with its
own SDK or HTTP API, mapping its "token not registered" errors to ``permanent=True``, and being
returned by ``configured_provider`` for devices of its platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from api.settings import get_settings


@dataclass(frozen=True)
class PushMessage:
    token: str
    notification_id: str
    kind: str
    title: str
    body: str
    priority: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PushResult:
    ok: bool
    message_id: str | None = None
    permanent: bool = False
    error: str | None = None


class PushProvider(Protocol):
    name: str
    max_batch: int

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]: ...


@lru_cache
def configured_provider() -> PushProvider | None:
    """The provider the settings name, or None: then notifications reach inbox and stream only."""
    settings = get_settings()
    if settings.fcm_credentials_file is None:
        return None
    from notifications.providers.fcm import FcmProvider

    return FcmProvider(settings.fcm_credentials_file, endpoint=settings.fcm_endpoint)
