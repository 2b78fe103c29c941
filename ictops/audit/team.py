"""The working team (คณะทำงาน) of process 2 step 1: who may operate, by which appointment order.

``inventory/team.yaml`` lists the members named by the area director's appointment
order. Every audit record names its operator; an operator who is not on the team
is refused, or let through and flagged, as ``unknown_operator`` says.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator

from ictops import clock
from ictops.errors import InputError, InputErrors
from ictops.project import Project
from ictops.validation import StrictModel, pydantic_errors
from ictops.yamlfile import YamlDoc, load_yaml

Role = Literal["head", "deputy", "member", "secretary", "assistant_secretary", "advisor", "service"]
ROLE_TH = {
    "head": "ประธานคณะทำงาน",
    "deputy": "รองประธานคณะทำงาน",
    "member": "คณะทำงาน",
    "secretary": "คณะทำงานและเลขานุการ",
    "assistant_secretary": "คณะทำงานและผู้ช่วยเลขานุการ",
    "advisor": "ที่ปรึกษา",
    "service": "บัญชีระบบอัตโนมัติ",
}
OPERATOR_ENV = "ICTOPS_OPERATOR"


class TeamError(InputError):
    """team.yaml is invalid."""


class OperatorRefused(InputError):
    """The operator is not on the working team and the team refuses unknown operators."""




class AppointmentModel(StrictModel):
    number: str = Field(min_length=1)  # "ที่ 123/2568", quoted in the YAML
    date: dt.date  # B.E. (2567-10-01) or C.E. (2024-10-01): ictops.clock reads both
    signed_by: str = Field(min_length=1)
    title: str | None = None
    fiscal_year: int | None = None  # Buddhist Era, e.g. 2568

    @field_validator("date", mode="before")
    @classmethod
    def _either_era(cls, value: object) -> object:
        if isinstance(value, (str, dt.date)) and not isinstance(value, dt.datetime):
            return clock.parse_user(str(value), what="appointment date").moment.astimezone(
                clock.BANGKOK).date()
        return value


# The dashboard's login (``ictops web --bind``): an Argon2id hash, never the password itself.
_ARGON2ID = re.compile(r"^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")


def _web_hash(value: str) -> str:
    if not _ARGON2ID.match(value):  # never echo the value: it may be a password typed in clear
        raise ValueError("web_password_hash must be an Argon2id hash ($argon2id$...), never the "
                         "password itself; make one with: ictops web password")
    return value


WebHash = Annotated[str, AfterValidator(_web_hash)]


class MemberModel(StrictModel):
    name: str = Field(min_length=1)
    username: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    role: Role = "member"
    position: str | None = None
    email: str | None = None
    may_operate: bool = True
    web_password_hash: WebHash | None = None


class ApproverModel(StrictModel):
    name: str = Field(min_length=1)
    position: str = Field(min_length=1)
    username: str | None = None
    web_password_hash: WebHash | None = None


class RoutineModel(StrictModel):
    """One entry of the routine register: a playbook pre-approved for a fiscal year."""

    playbook: str = Field(min_length=1)  # as the project names it: playbooks/nightly.yaml
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")  # its content (`ictops plans --routine`)
    approved_by: str = Field(min_length=1)  # an approver's name or username
    order: str = Field(min_length=1)  # the approval's reference (order or memo number)
    fiscal_year: int = Field(ge=2500, le=2700)  # Buddhist Era: 2570 = Oct 2026 - Sep 2027


class TeamModel(StrictModel):
    office: str = Field(min_length=1)
    group: str | None = None
    unknown_operator: Literal["refuse", "flag"] = "refuse"
    appointment: AppointmentModel
    members: list[MemberModel] = Field(min_length=1)
    approvers: list[ApproverModel] = []
    routine: list[RoutineModel] = []  # the routine register (docs/playbooks.md)


@dataclass(frozen=True)
class Appointment:
    number: str
    date: dt.date
    signed_by: str
    title: str | None = None
    fiscal_year: int | None = None


@dataclass(frozen=True)
class Member:
    """One operator. ``on_roster`` is False for an unknown operator let through by 'flag'."""

    name: str
    username: str
    role: str
    position: str | None = None
    email: str | None = None
    on_roster: bool = True
    may_operate: bool = True
    web_password_hash: str | None = field(default=None, repr=False)

    @property
    def role_th(self) -> str:
        return ROLE_TH.get(self.role, self.role)


@dataclass(frozen=True)
class Approver:
    name: str
    position: str
    username: str | None = None
    web_password_hash: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Routine:
    """A playbook pre-approved for a fiscal year (its content pinned by ``sha256``)."""

    playbook: str
    sha256: str
    approved_by: str
    order: str
    fiscal_year: int


@dataclass(frozen=True)
class Team:
    """The working team, as appointed."""

    office: str
    appointment: Appointment
    members: tuple[Member, ...]
    unknown_operator: str = "refuse"
    group: str | None = None
    approvers: tuple[Approver, ...] = ()
    file: str = "inventory/team.yaml"
    routine: tuple[Routine, ...] = ()

    @classmethod
    def load(cls, path: str | Path, shown_as: str | None = None) -> Team:
        """Load and check ``team.yaml``; TeamError (file:line) when it is wrong or missing."""
        path = Path(path)
        shown = shown_as or str(path)
        if not path.exists():
            raise TeamError(
                "no working team: create this file with the members of the appointment "
                "order (see docs/audit-trail.md, 'The working team')",
                shown,
            )
        return _build(load_yaml(path, shown, TeamError))

    @property
    def operators(self) -> list[str]:
        return [m.username for m in self.members if m.may_operate]

    def check_operator(self, name: str) -> Member:
        """The member whose username (or Thai name) is ``name``.

        Unknown: OperatorRefused when the team refuses unknown operators, else a
        Member with ``on_roster=False`` that the audit record flags.
        """
        for member in self.members:
            if name in (member.username, member.name):
                if not member.may_operate:
                    raise OperatorRefused(
                        f"'{name}' is on the working team as {member.role} but may not "
                        "operate (may_operate: false); run as an operator of the team",
                        self.file,
                    )
                return member
        if self.unknown_operator == "flag":
            return Member(name=name, username=name, role="unknown", on_roster=False)
        raise OperatorRefused(
            f"operator '{name}' is not on the working team of appointment order "
            f"{self.appointment.number}; operators are {', '.join(self.operators)}. "
            f"Run as one of them (set {OPERATOR_ENV}), or add '{name}' to members",
            self.file,
        )

    def check_approver(self, name: str) -> Approver | None:
        """The approver named ``name`` (name or username), or None if not listed."""
        return next((a for a in self.approvers if name in (a.name, a.username)), None)

    def routine_entries(self, playbook: str) -> list[Routine]:
        """The register's entries for ``playbook`` (a project-relative path)."""
        return [r for r in self.routine if r.playbook == playbook]


def current_operator() -> str:
    """Who runs ictops: $ICTOPS_OPERATOR, else the login name."""
    return os.environ.get(OPERATOR_ENV) or getpass.getuser()


def _build(doc: YamlDoc) -> Team:
    if not isinstance(doc.data, dict):
        raise TeamError(
            "the file must be a mapping with office:, appointment: and members:",
            doc.file,
            doc.line(()) or 1,
        )
    try:
        model = TeamModel.model_validate(doc.data)
    except ValidationError as exc:
        found = pydantic_errors(exc, TeamModel, doc, (), "team", TeamError)
        raise (found[0] if len(found) == 1 else InputErrors(found)) from None
    seen: dict[str, int] = {}
    for i, member in enumerate(model.members):
        if member.username in seen:
            raise doc.error(
                ("members", i, "username"),
                f"username '{member.username}' is listed twice (also member {seen[member.username] + 1}); "
                "each operator needs their own username",
                TeamError,
            )
        seen[member.username] = i
    approvers = tuple(Approver(x.name, x.position, x.username, x.web_password_hash) for x in model.approvers)
    for i, entry in enumerate(model.routine):
        if not any(entry.approved_by in (a.name, a.username) for a in approvers):
            names = ", ".join(a.username or a.name for a in approvers) or "(none)"
            raise doc.error(
                ("routine", i, "approved_by"),
                f"routine: '{entry.approved_by}' is not an approver; approvers are {names}",
                TeamError,
            )
    a = model.appointment
    return Team(
        office=model.office,
        group=model.group,
        unknown_operator=model.unknown_operator,
        appointment=Appointment(a.number, a.date, a.signed_by, a.title, a.fiscal_year),
        members=tuple(
            Member(m.name, m.username, m.role, m.position, m.email, True, m.may_operate,
                   m.web_password_hash)
            for m in model.members
        ),
        approvers=approvers,
        file=doc.file,
        routine=tuple(Routine(r.playbook, r.sha256, r.approved_by, r.order, r.fiscal_year)
                      for r in model.routine),
    )


TEAM_FILE = "team.yaml"


@dataclass(frozen=True)
class Operator:
    """Who runs ictops now, as checked against the team: the name on every record, and the
    flags every record of the run carries (``operator_not_on_team``)."""

    name: str
    flags: dict[str, bool]


def load_team(project: Project) -> Team | None:
    """inventory/team.yaml, or None when the project has no team file."""
    path = project.inventory_dir / TEAM_FILE
    if not path.exists():
        return None
    return Team.load(path, project.relative(path))


def resolve_operator(project: Project) -> Operator:
    """The operator; refuses (OperatorRefused, exit 2) one not on the team when it refuses."""
    name = current_operator()
    team = load_team(project)
    if team is None:
        return Operator(name, {})
    member = team.check_operator(name)
    return Operator(member.username, {} if member.on_roster else {"operator_not_on_team": True})
