"""Every table model, imported in one place for Alembic and for tools that need the metadata."""

from api.auth.models import RefreshToken, User
from api.hotspots.models import Hotspot, HotspotRevision
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation
from api.patrol_routes.models import PatrolRoute, RouteStop
from api.patrols.models import GpsPoint, HotspotVisit, LivePosition, Shift
from api.teams.models import Team, TeamMember
from notifications.models import Device, Event, Notification, PushDelivery

__all__ = [
    "Device",
    "Event",
    "GpsPoint",
    "Hotspot",
    "HotspotRevision",
    "HotspotVisit",
    "Jurisdiction",
    "LivePosition",
    "Notification",
    "Organisation",
    "PatrolRoute",
    "PushDelivery",
    "RefreshToken",
    "RouteStop",
    "Shift",
    "Team",
    "TeamMember",
    "User",
]
