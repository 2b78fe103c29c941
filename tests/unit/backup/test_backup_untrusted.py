"""What a server sends is untrusted: names, sizes and markers are checked before keeping."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from ictops.backup.collect import build_script, check_pattern, parse_output
from ictops.backup.files import UnsafePathError, inside
from ictops.backup.untrusted import (
    SizeLimits,
    glob_matches,
    name_refusal,
    parse_size,
    shown,
    size_limits_for,
)
from ictops.errors import InputError
from ictops.inventory.host import Host

PATTERNS = ["/etc/hosts", "/etc/cron.d/*", "/etc/netplan/*.yaml"]


def _mark(kind: str, arg: bytes | str, extra: str = "-") -> str:
    raw = arg.encode() if isinstance(arg, str) else arg
    return f"@@ictops {kind} {base64.b64encode(raw).decode() or '-'} {extra}\n"


def _file(path: str, data: bytes, mode: str = "644") -> str:
    return _mark("file", path, mode) + base64.encodebytes(data).decode()


def _cmd(name: str, out: bytes, rc: int = 0, err: bytes = b"") -> str:
    return (
        _mark("cmd", name, str(rc))
        + base64.encodebytes(out).decode()
        + _mark("stderr", name)
        + base64.encodebytes(err).decode()
    )


END = "@@ictops end LQ== -\n"


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("/etc/cron.d/backup", "/etc/cron.d/*", True),
        ("/etc/cron.d/sub/x", "/etc/cron.d/*", False),  # * never crosses a /
        ("/etc/cron.d/.hidden", "/etc/cron.d/*", False),  # nor matches a leading dot
        ("/etc/cron.d/.hidden", "/etc/cron.d/.*", True),
        ("/etc/netplan/01.yaml", "/etc/netplan/*.yaml", True),
        ("/etc/netplan/01.yml", "/etc/netplan/*.yaml", False),
        ("/etc/cron.d", "/etc/cron.d/*", False),
        ("/etc/a", "/etc/[ab]", True),
        ("/etc/c", "/etc/[!ab]", True),
        ("/ETC/hosts", "/etc/*", False),
    ],
)
def test_glob_matches_like_the_shell(path: str, pattern: str, expected: bool) -> None:
    assert glob_matches(path, pattern) is expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"/etc/hosts", None),
        (b"/etc/cron.d/backup", None),
        (b"/etc/passwd", "not asked for (matches no backup_files entry)"),
        (b"/etc/../etc/hosts", "not a normal path ('.', '..' or empty component)"),
        (b"/etc/cron.d/..", "not a normal path ('.', '..' or empty component)"),
        (b"//etc/hosts", "not a normal path ('.', '..' or empty component)"),
        (b"/etc/hosts/", "not a normal path ('.', '..' or empty component)"),
        (b"etc/hosts", "not an absolute path"),
        (b"", "not an absolute path"),
        (b"/etc/hosts\x00", "control or invisible character in the name"),
        (b"/etc/cron.d/a\tb", "control or invisible character in the name"),
        (b"/etc/cron.d/a\xc2\x85b", "control or invisible character in the name"),  # NEL
        ("/etc/cron.d/a\u200bb".encode(), "control or invisible character in the name"),
        (b"/etc/cron.d/\xff", "the name is not UTF-8"),
        (b"/etc/cron.d/" + b"a" * 256, "a component longer than 255 bytes"),
        (b"/" + b"a/" * 2048 + b"b", "name longer than 4096 bytes"),
    ],
)
def test_name_refusal(raw: bytes, reason: str | None) -> None:
    assert name_refusal(raw, PATTERNS)[1] == reason


def test_thai_file_names_are_kept() -> None:
    path = "/etc/cron.d/สำรองข้อมูล"
    assert name_refusal(path.encode(), PATTERNS) == (path, None)


def test_shown_escapes_and_keeps_both_ends() -> None:
    assert shown("/etc/\x1b[2Jx\n") == "/etc/\\x1b[2Jx\\n"
    assert shown(b"/etc/\xff") == "/etc/\\xff"
    long = shown("/" + "../" * 100 + "tmp/x", limit=40)
    assert len(long) == 40 and long.startswith("/../") and long.endswith("../tmp/x")


def test_a_good_answer_is_kept() -> None:
    out = (
        _file("/etc/hosts", b"127.0.0.1 localhost\n")
        + _mark("missing", "/etc/netplan/*.yaml")
        + _mark("unreadable", "/etc/cron.d/secret")
        + _cmd("kernel", b"6.1.0\n")
        + _cmd("uptime", b"", rc=127, err=b"uptime: not found\n")
        + END
    )
    got = parse_output(out, PATTERNS, ["kernel", "uptime"])
    assert got.refused == []
    assert got.complete
    assert got.files == {"/etc/hosts": (b"127.0.0.1 localhost\n", "644")}
    assert got.missing == ["/etc/netplan/*.yaml"]
    assert got.unreadable == ["/etc/cron.d/secret"]
    assert got.commands == {
        "kernel": (0, b"6.1.0\n", b""),
        "uptime": (127, b"", b"uptime: not found\n"),
    }


def test_the_real_script_output_parses(tmp_path: Path) -> None:
    import subprocess

    (tmp_path / "a.conf").write_text("a\n")
    (tmp_path / "b.conf").write_bytes(b"\x00\x01 binary\n")
    patterns = [f"{tmp_path}/*.conf", f"{tmp_path}/none"]
    script = build_script(patterns, {})
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    got = parse_output(out, patterns)
    assert got.refused == [] and got.complete
    assert {p: d for p, (d, _) in got.files.items()} == {
        f"{tmp_path}/a.conf": b"a\n",
        f"{tmp_path}/b.conf": b"\x00\x01 binary\n",
    }
    assert got.missing == [f"{tmp_path}/none"]


def _refused(out: str, limits: SizeLimits | None = None, commands=("kernel",)) -> list[dict]:
    return parse_output(out, PATTERNS, commands, limits).refused


def test_a_file_over_the_file_cap_is_refused_and_its_size_reported() -> None:
    out = _file("/etc/hosts", b"x" * 1001) + END
    assert _refused(out, SizeLimits(file=1000, host=10_000)) == [
        {"name": "/etc/hosts", "reason": "larger than max_file_size (1,001 > 1,000 bytes)"}
    ]
    assert _refused(out, SizeLimits(file=1001, host=10_000)) == []


def test_the_host_cap_counts_files_and_command_outputs() -> None:
    out = (
        _file("/etc/hosts", b"x" * 600)
        + _cmd("kernel", b"y" * 300)
        + _file("/etc/cron.d/a", b"z" * 200)
        + END
    )
    assert _refused(out, SizeLimits(file=1000, host=1100)) == []
    assert _refused(out, SizeLimits(file=1000, host=1000)) == [
        {
            "name": "/etc/cron.d/a",
            "reason": "the host's backup grows past max_host_size (1,000 bytes)",
        }
    ]


def test_a_command_output_over_the_file_cap_is_refused() -> None:
    out = _cmd("kernel", b"k" * 2000) + END
    assert _refused(out, SizeLimits(file=1000, host=10_000)) == [
        {"name": "command kernel", "reason": "larger than max_file_size (2,000 > 1,000 bytes)"}
    ]


def test_stderr_is_cut_to_what_the_script_sends() -> None:
    out = _cmd("kernel", b"", rc=1, err=b"e" * 50_000) + END
    got = parse_output(out, PATTERNS, ["kernel"])
    assert got.refused == [] and len(got.commands["kernel"][2]) == 2000


@pytest.mark.parametrize(
    ("out", "refused"),
    [
        (_file("/etc/hosts", b"a") + _file("/etc/hosts", b"b") + END, ("/etc/hosts", "sent twice")),
        (_file("/etc/hosts", b"a", mode="4755 x") + END, ("line 1", "malformed marker line")),
        (_file("/etc/hosts", b"a", mode="rwx") + END, ("/etc/hosts", "bad file mode 'rwx'")),
        (_cmd("other", b"x") + END, ("command other", "not a command ictops asked for")),
        (_mark("cmd", "kernel", "-1") + END, ("command kernel", "bad exit status '-1'")),
        (_mark("stderr", "kernel") + END, ("command kernel", "stderr of a command that did")),
        (_mark("missing", "/etc/shadow") + END, ("/etc/shadow", "reported missing but not")),
        (_mark("unreadable", "/etc/shadow") + END, ("/etc/shadow", "not asked for")),
        ("@@ictops file %%% 644\n" + END, ("line 1", "malformed name in marker line: %%%")),
        ("@@ictopsfile x y z\n" + END, ("line 1", "malformed marker line")),
        (_mark("link", "/etc/hosts") + END, ("line 1", "malformed marker line")),
        (_file("/etc/hosts", b"a") + "not base64!\n" + END, ("/etc/hosts", "line 3 of its data")),
        (_file("/etc/hosts", b"abcd") + "YQ\n" + END, ("/etc/hosts", "its data is not valid")),
        (END + _file("/etc/hosts", b"a"), ("line 2", "output after the end marker")),
        (END + "trailing\n", ("line 2", "output after the end marker")),
    ],
)
def test_hostile_items_are_refused(out: str, refused: tuple[str, str]) -> None:
    got = _refused(out)
    assert len(got) == 1, got
    assert got[0]["name"] == refused[0]
    assert got[0]["reason"].startswith(refused[1])


def test_a_login_banner_before_the_first_marker_is_ignored() -> None:
    got = parse_output("Welcome to srv-1\n" + _file("/etc/hosts", b"a") + END, PATTERNS)
    assert got.refused == [] and list(got.files) == ["/etc/hosts"]


def test_a_cut_stream_is_incomplete_not_refused() -> None:
    got = parse_output(_file("/etc/hosts", b"a" * 100)[:-20], PATTERNS)
    assert not got.complete and got.refused == [] and got.files == {}


def test_a_huge_file_is_not_kept_in_memory_past_the_cap() -> None:
    big = _file("/etc/hosts", b"x" * 3_000_000)
    got = parse_output(big + END, PATTERNS, (), SizeLimits(file=1000, host=10_000))
    assert got.refused[0]["reason"] == "larger than max_file_size (3,000,000 > 1,000 bytes)"
    assert got.files == {}


def test_check_pattern_refuses_paths_that_are_not_normal() -> None:
    assert check_pattern("/etc/hosts") is None
    for pattern in ("/etc/../etc/hosts", "/etc//hosts", "/etc/cron.d/", "/etc/./hosts"):
        assert "is not a normal path" in (check_pattern(pattern) or ""), pattern


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1000, 1000), ("512K", 512 * 1024), ("8M", 8 * 1024**2), ("1 GiB", 1024**3), ("64kb", 65536)],
)
def test_parse_size(value: object, expected: int) -> None:
    assert parse_size(value, "x") == expected


@pytest.mark.parametrize("value", [0, -1, True, "8X", "", "M", 1.5, "8MM"])
def test_parse_size_refuses(value: object) -> None:
    with pytest.raises(ValueError, match="write a size in bytes or with K, M or G"):
        parse_size(value, "x")


def test_size_limits_come_from_the_host_data() -> None:
    def host(**backup: object) -> Host:
        data = {"backup": backup}
        return Host(name="srv-1", hostname="127.0.0.1", platform_name="linux", data=data)

    assert size_limits_for(host(max_file_size="1M")) == SizeLimits(file=1024**2)
    bad = host(max_host_size="lots")
    with pytest.raises(InputError, match="host 'srv-1': data.backup.max_host_size is 'lots'"):
        size_limits_for(bad)


def test_inside_refuses_every_way_out(tmp_path: Path) -> None:
    root = tmp_path / "store"
    (root / "host" / "files").mkdir(parents=True)
    assert inside(root, "host/files/etc/hosts") == root / "host/files/etc/hosts"
    for rel in ("../x", "host/../../x", "/etc/passwd", "host//x", "host/./x", ""):
        with pytest.raises(UnsafePathError):
            inside(root, rel)
    (root / "host" / "files" / "etc").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="is a symbolic link in the store"):
        inside(root, "host/files/etc/hosts")
