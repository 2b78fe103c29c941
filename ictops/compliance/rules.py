"""The rule language: the models of a rule pack (YAML, validated at the door).

The loader that turns a file into these models, with ``file:line`` errors, is in
``ictops/compliance/packs.py``. The language is described for officers in docs/rules.md.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, field_validator, model_validator

from ictops.compliance.backtracking import Backtracking, check_backtracking
from ictops.compliance.expr import Expression, ExpressionError, compile_expression


class Severity(str, Enum):
    """How much a failed rule matters (the order is the order of the members)."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def weight(self) -> float:
        """Weight in the host score (docs/rules.md, "Score")."""
        return {"info": 0.0, "low": 1.0, "medium": 2.0, "high": 3.0, "critical": 5.0}[self.value]


Outcome = Literal["pass", "fail", "warn", "na", "error"]
VAR_REF = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def _regex(value: Any) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ValueError("a regular expression must be a string")  # noqa: TRY004 - pydantic reports ValueError
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise ValueError(f"bad regular expression {value!r}: {exc}") from None
    try:
        check_backtracking(value)
    except Backtracking as exc:
        raise ValueError(str(exc)) from None
    return compiled


def _expression(value: Any) -> Expression:
    if isinstance(value, Expression):
        return value
    if not isinstance(value, str):
        raise ValueError(  # noqa: TRY004 - pydantic reports ValueError, not TypeError
            "an expression must be a string such as 'g1' or 'min + sec / 60'"
        )
    try:
        return compile_expression(value)
    except ExpressionError as exc:
        raise ValueError(str(exc)) from None


def _var_ref(value: Any) -> str:
    if isinstance(value, str) and VAR_REF.match(value):
        return value
    raise ValueError(f"expected a number or a $variable, got {value!r}")


# Validated to re.Pattern / Expression; typed Any so pydantic does not build a schema of them.
Regex = Annotated[Any, PlainValidator(_regex)]
Expr = Annotated[Any, PlainValidator(_expression)]
VarRef = Annotated[str, PlainValidator(_var_ref)]
Number = float | VarRef
Values = list[Any] | VarRef


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A text in Thai and English."""

    th: str
    en: str


class Basis(Strict):
    """The law, notification or standard a rule rests on, cited honestly."""

    ref: str
    clause: str
    verified: bool  # false: recalled, not checked against the primary text
    note: str | None = None


class Condition(Strict):
    """A test on one value: a capture group, a parsed field, or an expression of them."""

    value: Expr = Field(default_factory=lambda: compile_expression("g1"), validate_default=True)
    equals: Any = None
    not_equals: Any = None
    in_: Values | None = Field(default=None, alias="in")
    not_in: Values | None = None
    min: Number | None = None
    max: Number | None = None
    matches: Regex | None = None
    not_matches: Regex | None = None
    split: bool = False  # the value is a list (spaces/commas): in = any item, not_* = every item
    ignore_case: bool = False
    zero_is_unlimited: bool = False  # "exec-timeout 0 0", "MaxRetentionSec=0": no limit
    missing: Outcome = "fail"  # the value is not there at all
    on_fail: Literal["fail", "warn"] = "fail"
    message: str | None = None


class Source(Strict):
    """Where a line check reads its text (default: the running-config)."""

    config: Literal["running", "startup"] | None = None
    files: list[str] | None = None  # server files, absolute paths, globs allowed
    command: str | None = None  # a command's output, read as lines


class LineCheck(Strict):
    """Lines matching a regex: present, absent, or valid (every match passes ``where``)."""

    kind: Literal["line"]
    pattern: Regex
    expect: Literal["present", "absent", "valid"] = "present"
    scope: Literal["global", "anywhere", "section"] = "global"
    parent: Regex | None = None
    min_count: Number = 1
    warn_below: Number | None = None
    where: list[Condition] = []
    # a line matching pattern but failing where: a violation (FAIL, or WARN when the failing
    # condition says on_fail: warn), or ignored (expect: present counts only the lines that
    # pass: "configured sources include an allowed one")
    where_mismatch: Literal["violation", "ignore"] = "violation"
    on_match: Literal["fail", "warn"] = "fail"  # for expect: absent
    if_missing: Outcome = "pass"  # for expect: valid, when no line matches at all
    if_no_section: Outcome = "na"
    if_no_source: Outcome = "error"
    source: Source = Source()
    message: str | None = None

    @model_validator(mode="after")
    def _parent_for_sections(self) -> LineCheck:
        if self.scope == "section" and self.parent is None:
            raise ValueError("scope 'section' needs 'parent' (a regex of the section lines)")
        if self.parent is not None and self.scope != "section":
            raise ValueError("'parent' is only used with scope: section")
        return self


class CommandCheck(Strict):
    """The output of a command (server: a name from server_commands.yaml), parsed and tested."""

    kind: Literal["command"]
    command: str
    parse: Literal["keyvalue", "regex", "lines"] = "keyvalue"
    separator: str | None = None  # keyvalue: None = first whitespace ("sshd -T"), "=" (timedatectl)
    lowercase_keys: bool = False
    fields: dict[str, Regex] = {}  # regex: field -> regex (first group, or the whole match)
    tests: list[Condition] = Field(min_length=1)
    if_no_output: Outcome = "error"
    if_unparsed: Outcome = "error"

    @model_validator(mode="after")
    def _fields_for_regex(self) -> CommandCheck:
        if self.parse == "regex" and not self.fields:
            raise ValueError("parse: regex needs 'fields' (name: regex)")
        return self


class ComputedCheck(Strict):
    """A value computed from several files (log retention in days and the like)."""

    kind: Literal["computed"]
    function: Literal["logrotate_retention", "journald_retention", "age_of", "pending_updates"]
    logs: list[str] = []  # logrotate: the log files whose retention counts
    command: str | None = None  # age_of: a command that prints a Unix time
    tests: list[Condition] = Field(min_length=1)
    if_no_source: Outcome = "error"


class BackupCheck(Strict):
    """The backup is recent, and the running-config was saved (equals the startup-config)."""

    kind: Literal["backup"]
    max_age_days: Number
    require_saved: bool = True


class AllCheck(Strict):
    """Every check must pass: the result is the worst of them."""

    kind: Literal["all"]
    checks: list[Check] = Field(min_length=1)


class AnyCheck(Strict):
    """One passing check is enough: the result is the best of them."""

    kind: Literal["any"]
    checks: list[Check] = Field(min_length=1)


Check = Annotated[
    LineCheck | CommandCheck | ComputedCheck | BackupCheck | AllCheck | AnyCheck,
    Field(discriminator="kind"),
]
CHECK_KINDS = ("line", "command", "computed", "backup", "all", "any")
AllCheck.model_rebuild()
AnyCheck.model_rebuild()


class Remediation(Strict):
    """What to do on FAIL: text for people, commands per platform (Jinja2 templates)."""

    text: Text
    commands: dict[str, str] = {}


class Rule(Strict):
    """One rule of a pack."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
    title: Text
    severity: Severity
    platforms: list[str] | None = None
    basis: list[Basis] = Field(min_length=1)
    check: Check | None = None
    checks: dict[str, Check] | None = None  # per-platform forms, keyed by platform name
    # platform -> why the rule does not apply there (it lacks the feature): N/A with the reason
    not_applicable: dict[str, str] = {}
    remediation: Remediation
    live: bool = False  # needs the device itself, not its backup
    feature: str | None = None
    tags: list[str] = []
    description: Text | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Rule:
        if (self.check is None) == (self.checks is None):
            raise ValueError("give either 'check' (with 'platforms') or 'checks' (per platform)")
        if self.check is not None and not self.platforms:
            raise ValueError("'check' needs 'platforms' (the platforms it applies to)")
        both = set(self.applies_to) & set(self.not_applicable)
        if both:
            raise ValueError(
                f"'{sorted(both)[0]}' has a check and is in 'not_applicable'; keep one of them"
            )
        return self

    @property
    def applies_to(self) -> tuple[str, ...]:
        if self.checks is not None:
            return tuple(self.checks)
        return tuple(self.platforms or ())

    def na_reason(self, platform: str) -> str:
        """Why the rule is N/A on ``platform`` (it has no check there)."""
        return self.not_applicable.get(platform) or f"not applicable to {platform}"

    def check_for(self, platform: str) -> Check | None:
        if self.checks is not None:
            return self.checks.get(platform)
        return self.check if platform in (self.platforms or ()) else None


class PackFile(Strict):
    """A rule pack file."""

    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    version: str | int | None = None
    description: Text | None = None
    vars: dict[str, Any] = {}
    rules: list[Rule] = Field(min_length=1)

    @field_validator("vars")
    @classmethod
    def _var_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(name)):
                raise ValueError(f"variable name {name!r} must be letters, digits and _")
        return value


def all_field_names() -> set[str]:
    """Every key the language knows (for "did you mean" suggestions)."""
    names: set[str] = set()
    for model in (
        Text,
        Basis,
        Condition,
        Source,
        LineCheck,
        CommandCheck,
        ComputedCheck,
        BackupCheck,
        AllCheck,
        AnyCheck,
        Remediation,
        Rule,
        PackFile,
    ):
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return names
