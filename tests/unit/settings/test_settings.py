"""Settings under data: of inventory/defaults.yaml: typed, file:line errors, host data left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from ictops.project import Project
from ictops.settings import SettingsError, load_settings


def _project(tmp_path: Path, defaults: str | None) -> Project:
    (tmp_path / "inventory").mkdir()
    if defaults is not None:
        (tmp_path / "inventory" / "defaults.yaml").write_text(defaults, encoding="utf-8")
    return Project.at(tmp_path)


def test_settings_read_and_host_data_left_alone(tmp_path: Path) -> None:
    project = _project(tmp_path, "port: 22\ndata:\n  office: สพม.ทดสอบ\n  ntp_servers: [a]\n"
                                 "  routine_unregistered: flag\n")
    settings = load_settings(project)
    assert settings.office == "สพม.ทดสอบ"
    assert settings.routine_unregistered == "flag"
    assert settings.catalogue is None and settings.audit_key_file is None


@pytest.mark.parametrize("defaults", [None, "port: 22\n", "data:\n"])
def test_no_settings_means_defaults(tmp_path: Path, defaults: str | None) -> None:
    settings = load_settings(_project(tmp_path, defaults))
    assert (settings.office, settings.routine_unregistered) == (None, "refuse")


@pytest.mark.parametrize(
    "text, message",
    [
        ("data:\n  office: [a, b]\n", "inventory/defaults.yaml:2: settings: key 'office' must be text, not a list"),
        ("data:\n  x: 1\n  audit_key_fil: /k\n",
         "inventory/defaults.yaml:3: settings: unknown key 'audit_key_fil' (did you mean 'audit_key_file'?)"),
        ("data:\n  routine_unregistered: allow\n",
         "inventory/defaults.yaml:2: settings: key 'routine_unregistered' cannot be text 'allow'; use one of 'refuse' or 'flag'"),
        ("data: 3\n", "inventory/defaults.yaml:1: data: must be a mapping"),
    ],
)
def test_bad_settings_are_one_line_with_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_project(tmp_path, text))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_loaded_once_until_the_file_changes(tmp_path: Path) -> None:
    project = _project(tmp_path, "data: {office: A}\n")
    first = load_settings(project)
    assert load_settings(project) is first
    (tmp_path / "inventory" / "defaults.yaml").write_text("data: {office: Bee}\n")
    assert load_settings(project).office == "Bee"
