"""Every table model, imported in one place for Alembic and for tools that need the metadata."""

from api.auth.models import RefreshToken, User
from api.hotspots.models import Hotspot, HotspotRevision
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation
from notifications.models import Device, Event, Notification, PushDelivery

__all__ = [
    "Device",
    "Event",
    "Hotspot",
    "HotspotRevision",
    "Jurisdiction",
    "Notification",
    "Organisation",
    "PushDelivery",
    "RefreshToken",
    "User",
]
