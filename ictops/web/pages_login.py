"""Sign in and out (only when the dashboard listens beyond loopback).

The sign-in form is the dashboard's one POST: it checks a password against the team file's
hash and writes nothing but the session cookie in the browser.
"""

from __future__ import annotations

from flask import Flask, current_app, g, redirect, render_template, request, session, url_for

from ictops.web.app import local_path


def register(app: Flask) -> None:
    @app.route("/login", methods=["GET", "POST"])
    def login():
        ext = current_app.extensions["ictops"]
        target = local_path(request.values.get("next"))
        if not ext["login"]:
            return redirect(target)
        error = None
        if request.method == "POST":
            address = request.remote_addr or "?"
            username = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            if ext["throttle"].blocked(address):
                error = g.t["login_wait"]
            elif ext["users"].check(username, password):
                ext["throttle"].succeeded(address)
                session.clear()
                session["user"] = username
                return redirect(target)
            else:
                ext["throttle"].failed(address)
                error = g.t["login_failed"]
        status = 401 if error else 200
        return render_template("login.html", error=error, next=target), status

    @app.get("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"))
