"""Changing switch configurations: features, scoped remediation, rollback, normalised compare.

Pure functions on config text (no sessions): the ``switch_config`` action, ``ictops config
push``, backup restore and ``ictops audit golden`` all compute their commands here.

    plan = remediation("cisco_ios", running, intended, ["ntp", "logging"])
    plan.commands          # ("no ntp server 1.2.3.4", "ntp server time1.nimt.or.th", ...)
    back = rollback("cisco_ios", running_after, running_before, ["ntp", "logging"])
"""

from __future__ import annotations

from ictops.switchconfig.features import Feature, FeatureError, features_named, platform_features
from ictops.switchconfig.remediation import Remediation, remediation, rollback
from ictops.switchconfig.showrun import MaskedConfigError, normalised_equal

__all__ = [
    "Feature",
    "FeatureError",
    "MaskedConfigError",
    "Remediation",
    "features_named",
    "normalised_equal",
    "platform_features",
    "remediation",
    "rollback",
]
