from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from api.auth.models import Role


class TokenPair(BaseModel):
    access_token: str
    token_type: str = Field(
        "bearer", description="`bearer`, or `DPoP` for a login bound to the phone's key (RFC 9449)."
    )
    expires_in: int = Field(description="Lifetime of the access token in seconds.")
    refresh_token: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIs...",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "q3w9Zr...",
                }
            ]
        }
    )


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)

    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "q3w9Zr..."}]})


class UserPublic(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    jurisdiction_code: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f1c2a9e-2b7d-4c1e-9a55-2d4e1f0b7c11",
                    "username": "officer.gulou",
                    "display_name": "王警官",
                    "role": "officer",
                    "organisation_id": 4,
                    "jurisdiction_code": "990102",
                }
            ]
        }
    )


Password = Field(min_length=1, max_length=256)


class PasswordChange(BaseModel):
    current_password: str = Password
    new_password: str = Field(
        min_length=1,
        max_length=256,
        description="At least 10 characters (PATROL_PASSWORD_MIN_LENGTH), not digits only, at least "
        "5 different characters.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"current_password": "demo-officer-2026", "new_password": "河边巡逻-夜班-2027"}]
        }
    )


class PasswordReset(BaseModel):
    new_password: str = Field(min_length=1, max_length=256)

    model_config = ConfigDict(json_schema_extra={"examples": [{"new_password": "temporary-Pass-4821"}]})


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=60, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    jurisdiction: str = Field(max_length=32, description="Code of the jurisdiction the account is scoped to.")
    organisation_id: int | None = None
    display_name: str | None = Field(None, min_length=1, max_length=100)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "officer.gulou2",
                    "password": "a long passphrase",
                    "role": "officer",
                    "jurisdiction": "990102",
                    "organisation_id": 4,
                    "display_name": "王警官",
                }
            ]
        }
    )
