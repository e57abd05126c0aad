"""Open311 GeoReport v2 as a client following the spec's examples would use it."""

import defusedxml.ElementTree as ET

from api.leads.models import Lead
from tests.leads.conftest import on_duty

BASE = "/open311/v2"
FORM = {
    "api_key": "any-key",
    "jurisdiction_id": "T100",
    "service_code": "person_in_need",
    "lat": "30.1",
    "long": "120.05",
    "address_string": "解放路与中山路交叉口",
    "email": "reporter@example.com",
    "first_name": "Li",
    "last_name": "Wei",
    "phone": "13700001111",
    "description": "一位老人坐在路边，天很冷",
    "media_url": "https://example.com/photo.jpg",
    "attribute[age_band]": "60_plus",
    "attribute[urgent]": "no",
}


def test_services_and_their_definition_in_json_and_xml(client):
    services = client.get(f"{BASE}/services.json")
    assert services.status_code == 200 and services.headers["content-type"].startswith("application/json")
    (service,) = services.json()
    assert service["service_code"] == "person_in_need" and service["metadata"] is True
    assert service["type"] == "realtime"
    definition = client.get(f"{BASE}/services/person_in_need.json").json()
    codes = {a["code"]: a for a in definition["attributes"]}
    assert codes["urgent"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in codes["age_band"]["values"]} >= {"under_14", "60_plus"}

    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services" and xml.find("service/service_code").text == "person_in_need"
    xml_definition = ET.fromstring(client.get(f"{BASE}/services/person_in_need.xml").content)
    assert xml_definition.tag == "service_definition"
    assert [a.find("code").text for a in xml_definition.findall("attributes/attribute")] == [
        "age_band",
        "urgent",
    ]
    assert len(xml_definition.findall("attributes/attribute/values/value")) == 8

    missing = client.get(f"{BASE}/services/potholes.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_then_get_a_request_with_nothing_personal_in_the_answer(client, session, desk):
    on_duty(client, session, "T101", (120.051, 30.1), "开1")
    posted = client.post(f"{BASE}/requests.json", data=FORM)
    assert posted.status_code == 200, posted.text
    (created,) = posted.json()
    number = created["service_request_id"]
    assert number.isdigit() and created["token"]
    lead = session.get(Lead, session.query(Lead.id).filter(Lead.number == int(number)).scalar())
    assert lead.source == "open311" and lead.age_band == "60_plus" and lead.status == "offered"
    assert lead.reporter_hint == "137****1111" and lead.media_url == FORM["media_url"]

    (one,) = client.get(f"{BASE}/requests/{number}.json").json()
    assert one["service_request_id"] == number and one["status"] == "open"
    assert one["agency_responsible"].startswith("测试T101") and one["status_notes"] == "已派单"
    assert one["requested_datetime"].endswith("+00:00")
    assert abs(one["lat"] - 30.1) < 0.003 and abs(one["long"] - 120.05) < 0.003
    assert (one["lat"], one["long"]) != (30.1, 120.05)
    whole = posted.text + str(one)
    for secret in ("13700001111", "reporter@example.com", "Wei", "老人", "交叉口", "photo.jpg"):
        assert secret not in whole

    (by_token,) = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert by_token["service_request_id"] == number
    listed = client.get(
        f"{BASE}/requests.json", params={"status": "open", "service_code": "person_in_need"}
    ).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert client.get(f"{BASE}/requests.json", params={"status": "closed"}).json() == []
    several = client.get(f"{BASE}/requests.json", params={"service_request_id": f"{number},999999"}).json()
    assert [r["service_request_id"] for r in several] == [number]

    xml = ET.fromstring(client.get(f"{BASE}/requests/{number}.xml").content)
    assert xml.tag == "service_requests" and xml.find("request/service_request_id").text == number
    assert xml.find("request/status").text == "open"


def test_xml_post_and_errors_follow_the_spec(client, session, desk):
    created = ET.fromstring(client.post(f"{BASE}/requests.xml", data={**FORM, "lat": "30.11"}).content)
    assert created.tag == "service_requests" and created.find("request/service_request_id").text.isdigit()

    cases = {
        "no key": ({**FORM, "api_key": ""}, 403),
        "unknown service": ({**FORM, "service_code": "graffiti"}, 404),
        "no location": ({k: v for k, v in FORM.items() if k not in ("lat", "long", "address_string")}, 400),
        "lat alone": ({k: v for k, v in FORM.items() if k != "long"}, 400),
        "lat out of range": ({**FORM, "lat": "91"}, 400),
        "lat not a number": ({**FORM, "lat": "north"}, 400),
        "no description": ({**FORM, "description": ""}, 400),
        "bad attribute": ({**FORM, "attribute[urgent]": "maybe"}, 400),
        "bad media": ({**FORM, "media_url": "file:///etc/passwd"}, 400),
        "unknown jurisdiction": ({**FORM, "jurisdiction_id": "NOPE"}, 404),
    }
    for name, (form, status) in cases.items():
        answer = client.post(f"{BASE}/requests.json", data=form)
        assert answer.status_code == status, name
        assert answer.json()[0]["code"] == status and answer.json()[0]["description"], name
    xml_error = client.post(f"{BASE}/requests.xml", data={**FORM, "service_code": ""})
    assert xml_error.status_code == 400
    assert ET.fromstring(xml_error.content).find("error/code").text == "400"
    assert client.get(f"{BASE}/requests/12ab.json").status_code == 404
    assert client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/services.yaml").status_code == 404
    assert session.query(Lead).count() == 1


def test_words_only_requests_are_placed_or_left_for_the_dispatcher(client, session, desk):
    form = {k: v for k, v in FORM.items() if k not in ("lat", "long")}
    (created,) = client.post(f"{BASE}/requests.json", data=form).json()
    (one,) = client.get(f"{BASE}/requests/{created['service_request_id']}.json").json()
    assert one["lat"] is None and one["status"] == "open" and one["status_notes"] == "已受理"
