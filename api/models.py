"""Every table model, imported in one place for Alembic and for tools that need the metadata."""

from api.audit.models import AuditEntry
from api.auth.models import DpopReplay, LoginSession, RefreshToken, User
from api.encounters.models import CriticalIncident, Encounter, PoliceReferral, RevisitTask
from api.handovers.models import Handover, HandoverStep
from api.hotspots.models import Hotspot, HotspotRevision
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Landmark, Lead, LeadOffer, LeadPhoto
from api.organisations.models import Organisation
from api.patrol_routes.models import PatrolRoute, RouteStop
from api.patrols.models import GpsPoint, HotspotVisit, LivePosition, Shift
from api.people.models import Person
from api.privacy.models import LegalHold
from api.ratelimit import RateCounter
from api.sweeps.models import SupplyStock, Sweep, SweepTask, WeatherAlert, WeatherRule
from api.teams.models import Team, TeamMember
from notifications.models import Device, Event, Notification, PushDelivery

__all__ = [
    "AuditEntry",
    "CriticalIncident",
    "Device",
    "DpopReplay",
    "Encounter",
    "Event",
    "GpsPoint",
    "Handover",
    "HandoverStep",
    "Hotspot",
    "HotspotRevision",
    "HotspotVisit",
    "Jurisdiction",
    "Landmark",
    "Lead",
    "LeadOffer",
    "LeadPhoto",
    "LegalHold",
    "LivePosition",
    "LoginSession",
    "Notification",
    "Organisation",
    "PatrolRoute",
    "Person",
    "PoliceReferral",
    "PushDelivery",
    "RateCounter",
    "RefreshToken",
    "RevisitTask",
    "RouteStop",
    "Shift",
    "SupplyStock",
    "Sweep",
    "SweepTask",
    "Team",
    "TeamMember",
    "User",
    "WeatherAlert",
    "WeatherRule",
]
