"""--wait [SECONDS] before the playbook argument: a clear usage error, not a float parser's."""

from __future__ import annotations

from click.testing import CliRunner

from ictops.cli.main import cli


def test_wait_before_the_playbook_says_where_to_put_it():
    result = CliRunner().invoke(cli, ["run", "--wait", "playbooks/nightly.yaml"])
    assert result.exit_code == 2
    assert "'playbooks/nightly.yaml' is not a number of seconds; put --wait after" in result.output


def test_wait_takes_seconds():
    from ictops.cli.running import _Seconds

    assert _Seconds().convert("600", None, None) == 600.0
