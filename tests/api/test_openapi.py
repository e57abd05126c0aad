"""The OpenAPI document describes every route with an operation id, its roles and examples."""

import pytest

from api.main import app

SPEC = app.openapi()
OPERATIONS = [(path, method, op) for path, ops in SPEC["paths"].items() for method, op in ops.items()]


def resolve(schema: dict) -> dict:
    if "$ref" in schema:
        return SPEC["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if schema.get("type") == "array":
        return resolve(schema["items"])
    return schema


def schema_has_example(schema: dict) -> bool:
    if "anyOf" in schema:
        return all(schema_has_example(member) for member in schema["anyOf"])
    return bool(resolve(schema).get("examples"))


def has_example(content: dict) -> bool:
    return bool(content.get("example") or content.get("examples") or schema_has_example(content["schema"]))


def test_served_document_is_the_app_schema(client):
    assert client.get("/openapi.json").json()["paths"].keys() == SPEC["paths"].keys()


@pytest.mark.parametrize(
    ("path", "method", "op"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS]
)
def test_operation_is_documented_with_examples(path, method, op):
    assert op.get("operationId") and " " not in op["operationId"], "generated clients need clean ids"
    body = op.get("requestBody")
    if body:
        assert all(has_example(content) for content in body["content"].values()), "request example missing"
    for status, response in op["responses"].items():
        content = response.get("content", {})
        if status.startswith("2") and "application/json" in content:
            assert has_example(content["application/json"]), f"{status} response example missing"
        if status.startswith("4"):
            assert resolve(
                content["application/problem+json"]["schema"]
                if "application/problem+json" in content
                else content["application/json"]["schema"]
            )["title"] in ("Problem", "HTTPValidationError")


def test_every_protected_route_declares_bearer_auth():
    public = {
        "/api/v1/health",
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/time",
        "/api/v1/auth/token",
        "/api/v1/auth/refresh",
        "/api/v1/public/leads",
        "/api/v1/public/leads/status",
        "/api/v1/integrations/12345/tickets",
    }
    for path, _method, op in OPERATIONS:
        if path not in public:
            assert op.get("security") == [{"OAuth2PasswordBearer": []}], path
