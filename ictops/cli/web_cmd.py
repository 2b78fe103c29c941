"""``ictops web``: the read-only dashboard of the project's state; ``ictops web password``."""

from __future__ import annotations

import sys

import click
from rich.markup import escape

from ictops.cli.output import stderr, stdout
from ictops.errors import ExitCode, InputError

DEFAULT_PORT = 8787
DEFAULT_BIND = "127.0.0.1"


@click.group("web", invoke_without_command=True)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True,
              help="TCP port to listen on.")
@click.option("--bind", default=DEFAULT_BIND, show_default=True,
              help="Address to listen on. Any address but 127.0.0.1 (or ::1) asks for a login "
                   "(web_password_hash in inventory/team.yaml).")
@click.pass_context
def web(ctx: click.Context, port: int, bind: str):
    """Serve a read-only dashboard of the project's state: fleet status, compliance
    (per host and rule, trend, filters), backup history with masked diffs, the audit
    trail (filtered, verified), runs and plans, and the reports. Thai by default,
    English by a switch; usable on a phone. Nothing on it changes anything.

    \b
    Examples:
      ictops web                              http://127.0.0.1:8787/ (this machine only)
      ictops web --port 9000
      ictops web --bind 192.168.10.5          the office network: sign-in required
      ictops web password                     make a web_password_hash for team.yaml

    On 127.0.0.1 it needs no login. With --bind it is reachable from other machines,
    so a team member signs in with the password whose hash is in inventory/team.yaml;
    it refuses to start when no member has one. See docs/web.md.
    """
    if ctx.invoked_subcommand is not None:
        return None
    from ictops.web.auth import needs_login, require_users
    from ictops.web.server import make_server, url_for_bind

    project = ctx.obj.project
    login = needs_login(bind)
    if login:
        require_users(project, bind)
    stderr.print("ictops web: reading the project's state...")
    server, cache = make_server(project, bind, port, login=login)
    snap = cache.current()
    url = url_for_bind(bind, port)
    stdout.print(f"ictops web: the dashboard of {escape(str(project.root))} (read-only), "
                 f"{len(snap.fleet)} host(s), state read in {snap.seconds:.1f}s")
    stdout.print(f"  {escape(url)}")
    if login:
        stderr.print(f"note: listening on {escape(bind)}, reachable from other machines: sign-in "
                     "required (web_password_hash in inventory/team.yaml). Plain HTTP: pages and "
                     "the password cross the network unencrypted; on an untrusted network use "
                     f"`ssh -L {port}:127.0.0.1:{port} THIS-MACHINE` and the default bind instead.")
    else:
        stdout.print("  this machine only, no login; stop with Ctrl-C")
    sys.stdout.flush()
    try:
        server.run()
    finally:
        server.close()
    return int(ExitCode.OK)


@web.command("password")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the password from standard input (one line) instead of asking.")
def password(from_stdin: bool):
    """Print an Argon2id hash of a password, for ``web_password_hash:`` in team.yaml.

    \b
    Example:
      ictops web password
      # then, in inventory/team.yaml, under your member entry:
      #   web_password_hash: "$argon2id$v=19$m=65536,t=3,p=4$..."
    """
    from ictops.web.auth import hash_password

    if from_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    else:
        secret = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(secret) < 10:
        raise InputError("the password is shorter than 10 characters; choose a longer one")
    click.echo(f'web_password_hash: "{hash_password(secret)}"')
    return int(ExitCode.OK)
