"""Places from words, pins by hand, and duplicates linked, merged and split."""

import sqlalchemy as sa

from api.leads.models import Lead
from tests.factories import inbox, make_hotspot
from tests.leads.conftest import hotline, on_duty


def lead_url(lead: dict) -> str:
    return f"/api/v1/leads/{lead['id']}"


def test_words_find_a_hotspot_in_chinese_or_pinyin(client, session, desk):
    make_hotspot(session, 120.06, 30.12, name="解放路桥洞", aliases=["解放桥"])
    make_hotspot(session, 120.03, 30.05, name="人民公园")
    for words in ("解放路的桥洞下面", "jiefanglu qiaodong", "jflqd"):
        lead = hotline(client, desk["operator"], None, None, place_text=words)
        assert lead["place_source"] == "gazetteer", words
        assert abs(lead["place"]["lon"] - 120.06) < 1e-6 and abs(lead["place"]["lat"] - 30.12) < 1e-6
        client.post(
            f"{lead_url(lead)}/close",
            json={"outcome": "not_found", "public_note": "未找到"},
            headers=desk["dispatcher"].headers,
        )
    found = client.get(
        "/api/v1/leads/places", params={"text": "renmin gongyuan"}, headers=desk["operator"].headers
    )
    assert [m["name"] for m in found.json()] == ["人民公园"]


def test_a_landmark_loaded_by_an_admin_is_matched(client, session, desk):
    from api.auth.models import Role
    from tests.factories import make_user

    admin = make_user(session, Role.admin, "T100")
    made = client.post(
        "/api/v1/landmarks",
        json={
            "name": "钟楼",
            "aliases": ["老钟楼"],
            "place": {"lon": 120.11, "lat": 30.11},
            "jurisdiction": "T102",
        },
        headers=admin.headers,
    )
    assert made.status_code == 201, made.text
    again = client.post(
        "/api/v1/landmarks",
        json={"name": "钟楼", "place": {"lon": 120.11, "lat": 30.11}, "jurisdiction": "T102"},
        headers=admin.headers,
    )
    assert again.status_code == 409
    lead = hotline(client, desk["operator"], None, None, place_text="zhonglou")
    assert lead["jurisdiction"] == "T102" and lead["place_source"] == "gazetteer"


def test_an_unknown_place_goes_to_the_dispatcher_to_pin(client, session, desk):
    team = on_duty(client, session, "T101", (120.051, 30.1), "钉1")
    lead = hotline(client, desk["operator"], None, None, place_text="城西那个没有名字的地方")
    assert lead["status"] == "new" and lead["place"] is None
    assert "lead.unplaced" in [i["kind"] for i in inbox(client, desk["dispatcher"])]
    outside = client.post(
        f"{lead_url(lead)}/pin",
        json={"place": {"lon": 121.1, "lat": 31.1}},
        headers=desk["dispatcher"].headers,
    )
    assert outside.status_code == 422
    pinned = client.post(
        f"{lead_url(lead)}/pin",
        json={"place": {"lon": 120.05, "lat": 30.1}},
        headers=desk["dispatcher"].headers,
    )
    assert pinned.status_code == 200, pinned.text
    assert pinned.json()["place_source"] == "dispatcher" and pinned.json()["status"] == "offered"
    assert pinned.json()["offer"]["team_id"] == str(team["team"].id)


def test_a_second_report_nearby_is_linked_not_dispatched_twice(client, session, desk):
    team = on_duty(client, session, "T101", (120.051, 30.1), "重1")
    first = hotline(client, desk["operator"], 120.05, 30.1)
    near = hotline(client, desk["operator"], 120.0510, 30.1005)  # about 110 m away
    far = hotline(client, desk["operator"], 120.06, 30.1)  # about 960 m away
    assert near["status"] == "linked" and near["duplicate_of"] == first["id"]
    assert far["status"] != "linked"
    offers = [i for i in inbox(client, team["officer"], at_least=2) if i["kind"] == "lead.offer"]
    assert sorted(i["payload"]["lead_id"] for i in offers) == sorted([first["id"], far["id"]])

    split = client.post(f"{lead_url(near)}/split", headers=desk["dispatcher"].headers)
    assert (
        split.status_code == 200
        and split.json()["duplicate_of"] is None
        and split.json()["status"] == "offered"
    )
    merged = client.post(
        f"{lead_url(far)}/merge", json={"into": first["id"]}, headers=desk["dispatcher"].headers
    )
    assert merged.status_code == 200 and merged.json()["status"] == "linked"
    assert merged.json()["offer"] is None
    self_merge = client.post(
        f"{lead_url(first)}/merge", json={"into": first["id"]}, headers=desk["dispatcher"].headers
    )
    assert self_merge.status_code == 422

    client.post(f"{lead_url(first)}/accept", headers=team["officer"].headers)
    closed = client.post(
        f"{lead_url(first)}/close",
        json={"outcome": "no_one_in_need", "public_note": "现场无人需要帮助"},
        headers=team["officer"].headers,
    )
    assert closed.status_code == 200, closed.text
    session.expire_all()
    statuses = dict(session.execute(sa.select(Lead.id, Lead.status)).all())
    assert {str(k): v for k, v in statuses.items()}[far["id"]] == "closed"  # the merged duplicate closes too


def test_a_report_after_the_duplicate_window_is_a_new_lead(client, session, desk):
    first = hotline(client, desk["operator"], 120.05, 30.1)
    session.execute(sa.update(Lead).values(created_at=sa.func.now() - sa.text("interval '3 hours'")))
    session.commit()
    later = hotline(client, desk["operator"], 120.05, 30.1)
    assert later["status"] != "linked" and later["id"] != first["id"]
