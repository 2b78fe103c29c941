"""Read-only by design: no route of the dashboard takes a writing verb, whatever its path."""

from __future__ import annotations

import pytest

from ictops.project import Project
from ictops.web.app import LOGIN_ENDPOINT, create_app

WRITE_VERBS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture()
def app(tmp_path):
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(
        "sw-1: {hostname: 127.0.0.9, platform: cisco_ios, site: ภูเขียว}\n", encoding="utf-8")
    return create_app(Project.at(tmp_path), login=False)


def _sample_url(rule) -> str:
    return rule.build({arg: "sw-1" for arg in rule.arguments}, append_unknown=False)[1]


def test_every_route_but_sign_in_answers_only_reading_verbs(app):
    routes = {rule.endpoint: rule.methods - {"OPTIONS"} for rule in app.url_map.iter_rules()}
    assert routes.pop(LOGIN_ENDPOINT) == {"GET", "HEAD", "POST"}
    assert routes, "no routes?"
    writers = {endpoint: methods for endpoint, methods in routes.items()
               if methods - {"GET", "HEAD"}}
    assert writers == {}


@pytest.mark.parametrize("verb", WRITE_VERBS)
def test_a_writing_verb_is_refused_on_every_path(app, verb):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == LOGIN_ENDPOINT and verb == "POST":
            continue
        response = client.open(_sample_url(rule), method=verb)
        assert response.status_code == 405, (verb, rule.rule, response.status_code)
    assert client.open("/no/such/page", method=verb).status_code in (404, 405)


def test_the_guard_refuses_a_writing_verb_even_on_a_route_that_would_take_it(app):
    app.add_url_rule("/later-mistake", "later_mistake", lambda: "changed!", methods=["POST"])
    response = app.test_client().post("/later-mistake")
    assert response.status_code == 405
    assert b"changed!" not in response.data


def test_pages_offer_no_form_that_posts(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "report_file", LOGIN_ENDPOINT):
            continue
        body = client.get(_sample_url(rule)).get_data(as_text=True)
        assert 'method="post"' not in body.lower(), rule.rule
