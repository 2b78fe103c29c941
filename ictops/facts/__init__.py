"""Facts: typed reads of a host's state, one command or file each, cached per host per run.

An action reads what it needs through ``ctx.facts.get(FACT, *args)`` right before it plans;
the engine invalidates a host's facts after an apply. Adding a fact: a ``CommandFact``
subclass with ``command`` and a pure ``parse`` (tested as data in tests/unit/facts/), and
one name here.
"""

from __future__ import annotations

from ictops.facts.apt import (
    AptChange,
    AptListsAgeFact,
    AptRequest,
    AptSimulation,
    AptSimulationFact,
    AptSource,
    AptSourcesFact,
)
from ictops.facts.base import CommandFact, Fact, FactError, Facts
from ictops.facts.collection import Collection, CollectionFact
from ictops.facts.hostkey import HostKeyFact
from ictops.facts.server import (
    BootIdFact,
    CommandOutput,
    DebPackagesFact,
    DirectoryFact,
    FileFact,
    FileState,
    HeldPackagesFact,
    NamedCommandFact,
    OsRelease,
    OsReleaseFact,
    PathExistsFact,
    PendingUpdate,
    PendingUpdates,
    PendingUpdatesFact,
    RebootNeed,
    RebootRequiredFact,
    ServiceFact,
    ServiceState,
)
from ictops.facts.switch import RunningConfigFact, ShowFact, StartupConfigFact

# servers
OS_RELEASE = OsReleaseFact()
PACKAGES = DebPackagesFact()  # name -> version
PENDING_UPDATES = PendingUpdatesFact()  # arg: "upgrade" | "dist-upgrade"
HELD_PACKAGES = HeldPackagesFact()
APT_SIMULATION = AptSimulationFact()  # arg: an AptRequest (what apt-get -s says it would do)
APT_SOURCES = AptSourcesFact()
APT_LISTS_AGE = AptListsAgeFact()  # seconds since the last apt-get update, or None
FILE = FileFact()  # arg: absolute path
DIRECTORY = DirectoryFact()  # arg: absolute directory
PATH_EXISTS = PathExistsFact()  # arg: absolute path
SERVICE = ServiceFact()  # arg: service name
BOOT_ID = BootIdFact()
REBOOT_REQUIRED = RebootRequiredFact()
COMMAND = NamedCommandFact()  # arg: a server_commands.yaml name or a command
COLLECTION = CollectionFact()  # args: file patterns, command names
# any device
HOST_KEY = HostKeyFact()  # arg: the project's known_hosts
# switches
RUNNING_CONFIG = RunningConfigFact()
STARTUP_CONFIG = StartupConfigFact()
SHOW = ShowFact()  # arg: a show/display command

__all__ = [
    "APT_LISTS_AGE", "APT_SIMULATION", "APT_SOURCES", "AptChange", "AptRequest", "AptSimulation",
    "AptSource", "BOOT_ID", "COLLECTION", "COMMAND", "DIRECTORY", "FILE", "HELD_PACKAGES", "HOST_KEY", "OS_RELEASE",
    "PACKAGES", "PATH_EXISTS", "PENDING_UPDATES", "REBOOT_REQUIRED", "RUNNING_CONFIG", "SERVICE", "SHOW",
    "STARTUP_CONFIG", "Collection", "CommandFact", "CommandOutput", "Fact", "FactError", "Facts",
    "FileState", "OsRelease", "PendingUpdate", "PendingUpdates", "RebootNeed", "ServiceState",
]
