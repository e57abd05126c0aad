from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AccessReason(BaseModel):
    """Why personal data is read; written to the audit log with the read.

    Audited reads take it in the body of a POST, never in the URL: URLs end up in proxy logs,
    browser history and Referer headers, and a reason often names the person it is about.
    """

    reason: str = Field(min_length=4, max_length=300, description="Why you need it (audited).")

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "接收交接，核对身份"}]})
