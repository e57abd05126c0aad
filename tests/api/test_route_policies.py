"""Every route declares who may call it: a route without a role policy fails the suite."""

from fastapi.routing import APIRoute

from api.auth.deps import RoleGuard, current_principal
from api.main import app

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/health/live"),  # probes of the orchestrator
    ("GET", "/api/v1/health/ready"),
    ("GET", "/api/v1/time"),  # a phone corrects its clock before it logs in
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/public/leads"),  # anyone may report; limited per client and area
    ("POST", "/api/v1/public/leads/status"),  # the receipt token is the credential
    ("POST", "/api/v1/integrations/12345/tickets"),  # signed with the platform's shared secret
}
SIGNED_IN = {
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("GET", "/api/v1/auth/me"),
}  # any signed-in user, about themselves


def guards(dependant) -> list:
    found = [d.call for d in dependant.dependencies if isinstance(d.call, RoleGuard)]
    for sub in dependant.dependencies:
        found += guards(sub)
    return found


def needs_login(dependant) -> bool:
    return any(d.call is current_principal or needs_login(d) for d in dependant.dependencies)


def walk(routes, prefix: str = ""):
    """(method, full path, route) through included routers, as the app serves them."""
    for route in routes:
        if isinstance(route, APIRoute):
            for method in route.methods:
                yield method, prefix + route.path, route
        elif hasattr(route, "original_router"):
            yield from walk(route.original_router.routes, prefix + route.include_context.prefix)


def api_routes():
    routes = [(m, path, r) for m, path, r in walk(app.routes) if path.startswith("/api/")]
    assert len(routes) > 80, "the walk must reach the API's routes"
    return routes


def test_every_route_declares_its_roles():
    undeclared = []
    for method, path, route in api_routes():
        key = (method, path)
        if key in PUBLIC:
            assert not needs_login(route.dependant), f"{key} is public but asks for a login"
            continue
        if key in SIGNED_IN:
            assert needs_login(route.dependant), key
            continue
        declared = guards(route.dependant)
        if len(declared) != 1:
            undeclared.append(f"{method} {path}")
    assert undeclared == [], f"routes without exactly one role policy: {undeclared}"


def test_personal_and_admin_routes_keep_their_narrow_policies():
    policy = {(m, path): guards(r.dependant)[0].roles for m, path, r in api_routes() if guards(r.dependant)}
    assert {r.value for r in policy[("GET", "/api/v1/audit")]} == {"supervisor"}
    assert {r.value for r in policy[("GET", "/api/v1/admin/push-failures")]} == {"admin"}
    assert {r.value for r in policy[("POST", "/api/v1/encounters")]} == {"officer"}
    assert "hospital_staff" not in {r.value for r in policy[("GET", "/api/v1/people/{person_id}")]}
