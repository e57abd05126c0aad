"""Every table model, imported in one place for Alembic and for tools that need the metadata."""

from api.auth.models import RefreshToken, User
from api.hotspots.models import Hotspot, HotspotRevision
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation

__all__ = ["Hotspot", "HotspotRevision", "Jurisdiction", "Organisation", "RefreshToken", "User"]
