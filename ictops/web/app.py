"""The dashboard's Flask application: pages, language, login, and the read-only guard.

Flask (Pallets) because the pages are server-rendered Jinja2, which ictops already uses
(autoescaped here), and it is small and well kept; waitress serves it (ictops.web.server).
Read-only by design: every page is a GET; the one POST is the sign-in form, which writes
nothing but the browser's session cookie. ``before_request`` refuses every other method,
whatever route a later change adds.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException

from ictops.project import Project
from ictops.web import i18n
from ictops.web.auth import Throttle, Users
from ictops.web.snapshot import SnapshotCache

HERE = Path(__file__).parent
READ_METHODS = ("GET", "HEAD")
LOGIN_ENDPOINT = "login"
OPEN_ENDPOINTS = (LOGIN_ENDPOINT, "static", "language")
LANG_COOKIE = "ictops_lang"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(project: Project, *, login: bool, cache: SnapshotCache | None = None) -> Flask:
    """The dashboard for ``project``; ``login``: ask for a team member's password."""
    app = Flask("ictops.web", root_path=str(HERE), static_folder="static",
                template_folder="templates")
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # a new one at each start: sessions end with it
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="ictops_session",
        MAX_CONTENT_LENGTH=16 * 1024,  # the sign-in form is all anyone may send
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.autoescape = True
    app.jinja_env.undefined = StrictUndefined  # a missing word or value is a bug, never blank
    app.extensions["ictops"] = {
        "project": project,
        "cache": cache or SnapshotCache(project),
        "login": login,
        "users": Users(project),
        "throttle": Throttle(),
    }

    @app.before_request
    def _guard():
        if request.method not in READ_METHODS and request.endpoint != LOGIN_ENDPOINT:
            abort(405)
        g.lang = _language()
        g.t = i18n.words(g.lang)
        if login and request.endpoint not in OPEN_ENDPOINTS:
            user = session.get("user")
            if not user or not app.extensions["ictops"]["users"].known(user):
                session.clear()
                return redirect(url_for(LOGIN_ENDPOINT, next=request.full_path.rstrip("?")))
        return None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _context():
        cache_: SnapshotCache = app.extensions["ictops"]["cache"]
        return {
            "t": g.get("t") or i18n.words(i18n.DEFAULT), "lang": g.get("lang", i18n.DEFAULT),
            "when": lambda m: i18n.when(m, g.get("lang", i18n.DEFAULT)),
            "day": lambda d: i18n.day(d, g.get("lang", i18n.DEFAULT)),
            "stored": i18n.stored, "updating": cache_.updating, "state_error": cache_.last_error,
            "login": login, "user": session.get("user"), "project_name": project.root.name,
        }

    @app.errorhandler(HTTPException)
    def _error(exc: HTTPException):
        return render_template("error.html", code=exc.code, message=exc.description), exc.code

    @app.get("/lang/<code>")
    def language(code: str):
        target = local_path(request.args.get("next"))
        response = redirect(target)
        if code in i18n.LANGUAGES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="Strict",
                                httponly=True)
        return response

    from ictops.web import (
        pages_backups, pages_compliance, pages_fleet, pages_login, pages_runs, pages_trail,
    )

    for module in (pages_fleet, pages_compliance, pages_backups, pages_trail, pages_runs,
                   pages_login):
        module.register(app)
    return app


def _language() -> str:
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in i18n.LANGUAGES else i18n.DEFAULT


def local_path(target: str | None) -> str:
    """A redirect target on this dashboard only (never another site: ``//evil``, ``http:``)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def snapshot():
    """The current snapshot of the state, for a page."""
    from flask import current_app

    return current_app.extensions["ictops"]["cache"].current()


def project() -> Project:
    from flask import current_app

    return current_app.extensions["ictops"]["project"]
