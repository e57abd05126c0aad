"""docker-compose.yml runs two API replicas and two workers behind nginx; the proxy's
configuration parses and keeps what the API needs (streams unbuffered, metrics not exposed)."""

from pathlib import Path

import crossplane
import yaml

ROOT = Path(__file__).resolve().parents[2]
NGINX = ROOT / ".ci" / "nginx.conf"


def test_compose_scales_api_and_workers_behind_the_proxy():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "ports" not in services["api"]  # reached through the proxy only
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./.ci/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    assert "/api/v1/health/ready" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"


def directives(block: list[dict]):
    for directive in block:
        yield directive
        yield from directives(directive.get("block", []))


def test_the_proxy_configuration_parses_in_its_http_context(tmp_path):
    main = tmp_path / "nginx.conf"
    main.write_text(f"events {{}}\nhttp {{\n    include {NGINX};\n}}\n")
    # strict: an unknown or misplaced directive fails (a map's entries are not directives)
    strict = crossplane.parse(str(main), catch_errors=True, strict=True, ignore=("map",))
    assert strict["status"] == "ok", strict["errors"]
    parsed = crossplane.parse(str(main), catch_errors=True)
    included = next(config for config in parsed["config"] if config["file"] == str(NGINX))
    assert included["status"] == "ok", included["errors"]
    found = list(directives(included["parsed"]))
    upstream = next(d for d in found if d["directive"] == "upstream")
    assert ["api:8000", "resolve"] in [d["args"] for d in upstream["block"] if d["directive"] == "server"]
    locations = {tuple(d["args"]): d["block"] for d in found if d["directive"] == "location"}
    events = {d["directive"]: d["args"] for d in locations[("=", "/api/v1/events")]}
    assert events["proxy_buffering"] == ["off"]
    assert {d["directive"]: d["args"] for d in locations[("=", "/metrics")]}["return"] == ["404"]
    headers = [d["args"] for d in found if d["directive"] == "proxy_set_header"]
    assert ["X-Request-ID", "$patrol_request_id"] in headers
    assert ["X-Forwarded-For", "$proxy_add_x_forwarded_for"] in headers
    request_id = next(d for d in found if d["directive"] == "map")
    assert request_id["args"] == ["$http_x_request_id", "$patrol_request_id"]
