from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from notifications.models import Platform, Priority

_ITEM = {
    "id": "0b3f8a4e-7f51-4f3d-a3a4-0d5c2f1e9b77",
    "kind": "sweep.task",
    "title": "寒潮巡查任务",
    "body": "请在 22:00 前巡查滨河大桥西桥洞",
    "payload": {"sweep_id": "4e1d…", "hotspot_id": "9dd0…"},
    "priority": "high",
    "created_at": "2026-11-29T12:00:00Z",
    "read_at": None,
    "acknowledged_at": None,
}


class InboxItem(BaseModel):
    id: uuid.UUID = Field(description="Stable: the same id comes with the push, so a phone can drop repeats.")
    kind: str
    title: str
    body: str
    payload: dict[str, Any] = Field(description="Ids the phone needs to open the right screen.")
    priority: Priority
    created_at: datetime
    read_at: datetime | None
    acknowledged_at: datetime | None

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_ITEM]})


class InboxPage(BaseModel):
    items: list[InboxItem]
    next: str | None = Field(description="Cursor for `?after=`; unchanged when nothing new arrived.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_ITEM], "next": "7412-88"}]})


class DeviceRegistration(BaseModel):
    token: str = Field(min_length=8, max_length=4096, description="Push registration token from the phone.")
    platform: Platform
    app_version: str = Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z.+\-]+$")
    locale: str = Field("zh-CN", min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "fcm-registration-token-from-the-phone",
                    "platform": "android",
                    "app_version": "1.4.2",
                    "locale": "zh-CN",
                }
            ]
        }
    )


class DevicePublic(BaseModel):
    id: uuid.UUID
    platform: Platform
    app_version: str
    locale: str
    created_at: datetime
    refreshed_at: datetime

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "5d0c1e8a-33c2-4d8e-9f0e-2b8e4f7d6a10",
                    "platform": "android",
                    "app_version": "1.4.2",
                    "locale": "zh-CN",
                    "created_at": "2026-11-29T08:00:00Z",
                    "refreshed_at": "2026-11-29T08:00:00Z",
                }
            ]
        },
    )


class FailedPush(BaseModel):
    id: int
    notification_id: uuid.UUID
    device_id: uuid.UUID
    attempts: int
    last_error: str | None
    created_at: datetime

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "notification_id": "0b3f8a4e-7f51-4f3d-a3a4-0d5c2f1e9b77",
                    "device_id": "5d0c1e8a-33c2-4d8e-9f0e-2b8e4f7d6a10",
                    "attempts": 5,
                    "last_error": "UnavailableError: service unavailable",
                    "created_at": "2026-11-29T08:00:00Z",
                }
            ]
        },
    )


class RetryRequest(BaseModel):
    ids: list[int] | None = Field(
        None, max_length=10_000, description="Failed deliveries to retry; all when absent."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"ids": [42, 43]}]})


class RetryResult(BaseModel):
    requeued: int

    model_config = ConfigDict(json_schema_extra={"examples": [{"requeued": 2}]})
