from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class AccessReason(BaseModel):
    """Why personal data is read; written to the audit log with the read.

    Audited reads take it in the body of a POST, never in the URL: URLs end up in proxy logs,
    browser history and Referer headers, and a reason often names the person it is about.
    """

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=300)] = Field(
        description="Why you need it (audited); blanks around it do not count."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "接收交接，核对身份"}]})
