"""Settings from the environment (and an optional ``.env`` file written by the setup command)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATROL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg://patrol@127.0.0.1:5432/patrol",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the PostGIS database (psycopg 3 driver).",
    )
    secret_key: SecretStr = Field(
        ..., description="Key that signs access tokens; the same on every API process."
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    read_database_url: str | None = Field(
        None,
        description="A streaming replica for the console's layers, the reports and the OGC API "
        "(read-only work that may lag the primary by moments); unset, they read the primary.",
    )
    db_pool_size: int = 10
    db_connect_timeout_s: int = 3
    max_geometry_vertices: int = 10_000
    max_import_features: int = 20_000
    default_timezone: str = "Asia/Shanghai"
    fcm_credentials_file: Path | None = Field(
        None, description="Firebase service-account JSON; without it pushes are off (inbox still works)."
    )
    fcm_endpoint: str | None = Field(None, description="Base URL replacing https://fcm.googleapis.com.")
    push_max_attempts: int = 5
    event_replay_minutes: int = 60
    worker_concurrency: int = 4
    worker_heartbeat_s: float = 10.0
    worker_stalled_after_s: float = 30.0
    max_track_batch: int = 5000
    future_tolerance_s: int = 120
    poor_accuracy_m: float = 100.0
    max_plausible_speed_mps: float = 70.0
    position_stale_s: int = 300
    visit_min_dwell_s: int = 60
    visit_max_gap_s: int = 300
    shift_upload_grace_h: int = 24
    gps_retention_months: int = 12
    retention_encounter_days: int = Field(
        365, ge=1, description="Encounters with no person linked lose their free text after this many days."
    )
    retention_lead_contact_days: int = Field(
        90, ge=1, description="Closed leads lose the reporter's contact and its hint after this many days."
    )
    retention_lead_photo_days: int = Field(
        30, ge=1, description="Closed leads lose their photos (and media link) after this many days."
    )
    retention_person_photo_days: int = Field(
        365, ge=1, description="A person's photo is dropped when they have not been seen for this many days."
    )
    retention_incident_review_days: int = Field(
        365,
        ge=1,
        description="A critical incident holds its person and encounter as an open case for this many days.",
    )
    overdue_hours_critical: int = 12
    overdue_hours_high: int = 24
    overdue_hours_medium: int = 72
    overdue_hours_low: int = 168
    revisit_delay_minutes: int = 120
    incident_ack_minutes: int = 15
    handover_minutes_to_station: int = 120
    handover_minutes_to_hospital: int = 60
    handover_minutes_identity_check: int = 24 * 60
    handover_minutes_discharge_pickup: int = 24 * 60
    handover_minutes_police_referral: int = 60
    handover_code_minutes: int = 15
    pdf_font_file: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf_cjk_font_file: Path = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
    forecast_url: str = Field(
        "https://api.open-meteo.com/v1/forecast?latitude={lat}&longitude={lon}"
        "&hourly=temperature_2m,apparent_temperature&forecast_days=2&timezone=UTC",
        description="Hourly forecast in Open-Meteo's JSON format; {lat} and {lon} are filled in.",
    )
    forecast_hours: int = 24
    cold_threshold_c: float = 0.0
    heat_threshold_c: float = 35.0
    lead_duplicate_m: float = 200.0
    lead_duplicate_minutes: int = 120
    lead_offer_minutes: int = 5
    lead_deadline_minutes_normal: int = 60
    lead_deadline_minutes_urgent: int = 20
    lead_public_per_client_hour: int = 10
    lead_public_per_area_hour: int = 30
    lead_max_photos: int = 3
    lead_max_photo_bytes: int = 5 * 1024 * 1024
    contact_key: SecretStr | None = Field(
        None,
        description="Fernet key for reporters' contact details; derived from secret_key when unset "
        "(set it before rotating secret_key, or stored contacts can no longer be read).",
    )
    open311_api_keys: list[str] = Field(
        default_factory=list, description="Keys Open311 clients must send with a POST; empty: any key."
    )
    open311_blur_m: float = Field(
        300.0, description="Public Open311 answers give a lead's place snapped to a grid of this size."
    )
    hotline12345_secret: SecretStr | None = Field(
        None, description="Shared secret the 12345 platform signs its tickets with (HMAC-SHA256)."
    )
    basemap_url: str | None = Field(
        None,
        description="Raster tile URL template ({z}/{x}/{y}) of the console's and the field app's "
        "basemap; without it the map shows a plain background and the jurisdiction boundaries.",
    )
    basemap_datum: Literal["wgs84", "gcj02"] = Field(
        "wgs84", description="Datum of the basemap; with gcj02 the console asks for every layer in GCJ-02."
    )
    basemap_attribution: str = ""
    basemap_max_zoom: int = 18
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    ogc_grid_cell_m: int = Field(
        500, ge=100, le=50_000, description="Side in metres of the encounter-grid layer's square cells."
    )
    ogc_grid_min_count: int = Field(
        3, ge=2, description="Encounter-grid cells with fewer encounters than this are left out."
    )
    ogc_grid_days: int = Field(30, ge=1, le=366, description="Days the encounter grid counts by default.")
    password_min_length: int = 10
    login_window_s: int = Field(
        900, description="Failed logins count per window of this length; a lock ends with the window."
    )
    login_failures_per_username: int = 5
    login_failures_per_address: int = 30
    officer_dpop_required: bool = Field(
        False,
        description="Officers must log in and call with DPoP proofs from their phone's key (RFC 9449). "
        "Production turns it on once the phone app sends them.",
    )
    dpop_iat_window_s: int = Field(
        60, description="How far a DPoP proof's iat may be from the server's clock."
    )
    public_url: str | None = Field(
        None,
        description="The API's public origin (https://patrol.example.gov.cn); DPoP proofs name it in htu. "
        "Unset: the scheme and host of each request (uvicorn's proxy headers apply).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins whose browser pages may call the API (comma-separated); empty: none.",
    )
    hsts_seconds: int = Field(0, description="Strict-Transport-Security max-age; 0 sends no header.")
    max_body_bytes: int = Field(
        8 * 1024 * 1024, description="Largest request body; a 5,000-point track upload is about 1.4 MB."
    )
    max_body_bytes_by_path: dict[str, int] = Field(
        default_factory=lambda: {
            "/api/v1/hotspots/import": 64 * 1024 * 1024,
            "/api/v1/public/leads": 24 * 1024 * 1024,
            "/report": 20 * 1024 * 1024,
        },
        description="Larger limits for paths beginning with these prefixes (photos, hotspot files).",
    )
    csp_by_path: dict[str, str] = Field(
        default_factory=dict,
        description="Content-Security-Policy per path prefix, over the built-in ones; {nonce} is "
        "replaced by a fresh nonce per response.",
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token a Prometheus scraper sends to /metrics; unset with no "
        "address either: /metrics answers 404.",
    )
    metrics_allow_from: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated, CIDR) that may scrape /metrics.",
    )

    @field_validator("metrics_allow_from", mode="before")
    @classmethod
    def _comma_separated_networks(cls, value: object) -> object:
        if isinstance(value, str):
            value = [network.strip() for network in value.split(",") if network.strip()]
        for network in value if isinstance(value, list) else []:
            ipaddress.ip_network(network, strict=False)  # a ValueError names the bad entry
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
