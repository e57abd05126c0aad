"""Firebase Cloud Messaging through firebase-admin (HTTP v1, ``messaging.send_each``)."""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path

import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from notifications.providers import PushMessage, PushResult

# Errors after which the token will never work again.
_PERMANENT = (messaging.UnregisteredError, messaging.SenderIdMismatchError, exceptions.InvalidArgumentError)
_URGENT = {"critical", "high"}


class FcmProvider:
    name = "fcm"
    max_batch = 500  # the most messaging.send_each takes in one call

    def __init__(self, credentials_file: Path, *, endpoint: str | None = None) -> None:
        """``endpoint`` replaces https://fcm.googleapis.com, for a relay on a closed network.

        firebase-admin has no public setting for it; the URL lives in a private attribute of
        its messaging service, which is why firebase-admin is pinned to 7.7.x and the FCM tests
        go through this path against a local server.
        """
        project_id = json.loads(Path(credentials_file).read_text())["project_id"]
        self._app = firebase_admin.initialize_app(
            credentials.Certificate(str(credentials_file)),
            options={"projectId": project_id},
            name=f"patrol-fcm-{uuid.uuid4()}",
        )
        if endpoint:
            service = messaging._get_messaging_service(self._app)
            service._fcm_url = f"{endpoint.rstrip('/')}/v1/projects/{project_id}/messages:send"

    def send(self, messages: Sequence[PushMessage]) -> list[PushResult]:
        if not messages:
            return []
        response = messaging.send_each([self._message(m) for m in messages], app=self._app)
        return [self._result(r) for r in response.responses]

    @staticmethod
    def _message(message: PushMessage) -> messaging.Message:
        urgent = message.priority in _URGENT
        data = {
            **message.data,
            "notification_id": message.notification_id,
            "kind": message.kind,
            "priority": message.priority,
        }
        # Phones register FCM registration tokens, which the v1 API addresses as message.token;
        # firebase-admin 7.7 marks the field deprecated in favour of installation ids (fid).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return messaging.Message(
                token=message.token,
                notification=messaging.Notification(title=message.title, body=message.body),
                data=data,
                android=messaging.AndroidConfig(
                    priority="high" if urgent else "normal",
                    collapse_key=None,
                    notification=messaging.AndroidNotification(
                        channel_id="critical" if message.priority == "critical" else "default",
                        tag=message.notification_id,
                    ),
                ),
                apns=messaging.APNSConfig(
                    headers={
                        "apns-priority": "10" if urgent else "5",
                        "apns-collapse-id": message.notification_id[:64],
                    },
                    payload=messaging.APNSPayload(
                        aps=messaging.Aps(
                            sound=messaging.CriticalSound("default", critical=True, volume=1.0)
                            if message.priority == "critical"
                            else "default",
                        )
                    ),
                ),
            )

    @staticmethod
    def _result(response: messaging.SendResponse) -> PushResult:
        if response.success:
            return PushResult(ok=True, message_id=response.message_id)
        error = response.exception
        return PushResult(
            ok=False, permanent=isinstance(error, _PERMANENT), error=f"{type(error).__name__}: {error}"
        )
