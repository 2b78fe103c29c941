"""Platform.config_error: the device's own words, not the marker that points at them."""

from __future__ import annotations

from ictops.platforms import get_platform

HUAWEI_REFUSED = """display nonsense
              ^
Error: Unrecognized command found at '^' position.
"""


def test_huawei_error_is_the_worded_line_not_the_caret() -> None:
    assert get_platform("huawei_vrp").config_error(HUAWEI_REFUSED) == (
        "Error: Unrecognized command found at '^' position."
    )


def test_a_lone_marker_is_still_an_error() -> None:
    assert get_platform("huawei_vrp").config_error("display nonsense\n   ^\n") == "^"


def test_cisco_error_line_and_clean_output() -> None:
    cisco = get_platform("cisco_ios")
    refused = "show nonsense\n      ^\n% Invalid input detected at '^' marker.\n"
    assert cisco.config_error(refused) == "% Invalid input detected at '^' marker."
    assert cisco.config_error("Cisco IOS Software, Version 15.2\n") is None
