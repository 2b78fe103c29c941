"""Load a platform's configuration grammar (modes, keywords, single-valued lines) from data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from ictops.lab.switchsim.configtree import Style
from ictops.lab.switchsim.syntax import Form, Match, compile_patterns, match


@dataclass(frozen=True)
class SubMode:
    """A line that opens a sub-mode, and the prompt label of that mode."""

    pattern: re.Pattern[str]
    mode: str
    label: str  # VRP prompt suffix template (regex groups as \1)


@dataclass(frozen=True)
class Grammar:
    """The configuration language of one platform."""

    platform: str
    style: Style
    hostname_key: str  # the top-level line naming the device (VRP "sysname")
    default_hostname: str
    prompts: dict[str, str]
    keywords: dict[str, tuple[str, ...]]
    no_args: dict[str, frozenset[str]]
    submodes: dict[str, tuple[SubMode, ...]]
    canonical: tuple[tuple[re.Pattern[str], str], ...]
    single_valued: tuple[re.Pattern[str], ...]
    default_on_lines: frozenset[str]
    interface_types: tuple[str, ...]
    interface_args: tuple[str, ...]
    syntax: dict[tuple[str, str], tuple[Form, ...]]  # (mode, keyword) -> allowed word sequences
    hidden_defaults: tuple[tuple[str, re.Pattern[str]], ...]
    implied: tuple[tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]], ...]
    # (mode, command, top-level line, whether the line must be present)
    requires: tuple[tuple[str, re.Pattern[str], re.Pattern[str], bool], ...]
    sequence_numbers: frozenset[str]
    vlan_batch: bool  # VRP: VLANs are one "vlan batch" line holding a set
    negation_removes: tuple[tuple[re.Pattern[str], str], ...]

    def removed_by(self, line: str) -> re.Pattern[str] | None:
        """What ``no``/``undo`` ``line`` removes when it is not a prefix of it (see the data)."""
        for negated, template in self.negation_removes:
            found = negated.fullmatch(line)
            if found:
                return re.compile(template.replace("{1}", re.escape(found.group(1))))
        return None

    def check(self, mode: str, words: list[str], *, negate: bool) -> Match | None:
        """The line checked against the mode's syntax for its keyword; None when unlisted."""
        forms = self.syntax.get((mode, words[0]))
        if forms is None:
            return None
        return match(forms, words, negate=negate)

    def hidden(self, mode: str, line: str) -> bool:
        """True when ``line`` is a default the device never shows."""
        return any(m == mode and p.search(line) for m, p in self.hidden_defaults)

    def slot_of(self, line: str) -> tuple[object, ...] | None:
        """Which single-valued slot ``line`` fills, or None when lines of its kind add up."""
        for index, pattern in enumerate(self.single_valued):
            match = pattern.match(line)
            if match:
                return (index, *match.groups())
        return None

    def default_on(self, line: str) -> bool:
        return line in self.default_on_lines

    def resolve_keyword(self, mode: str, word: str) -> str | list[str] | None:
        """The keyword ``word`` abbreviates in ``mode``; a list when ambiguous, None when unknown."""
        words = self.keywords.get(mode, ())
        if word in words:
            return word
        found = [k for k in words if k.startswith(word.lower())]
        if len(found) == 1:
            return found[0]
        return found or None

    def submode_for(self, mode: str, line: str) -> tuple[str, str] | None:
        """(mode, prompt label) when ``line`` opens a sub-mode of ``mode``."""
        for sub in self.submodes.get(mode, ()):
            match = sub.pattern.match(line)
            if match:
                return sub.mode, match.expand(sub.label) if sub.label else sub.mode
        return None

    def canonicalize(self, line: str) -> str | None:
        """Expand abbreviations in an input line; None when an interface name is unknown."""
        for pattern, replacement in self.canonical:
            line = pattern.sub(replacement, line)
        for prefix in self.interface_args:
            if line.startswith(prefix + " "):
                name = self.interface_name(line[len(prefix) + 1 :])
                if name is None:
                    return None
                return f"{prefix} {name}"
        return line

    def interface_name(self, text: str) -> str | None:
        """``gi1/0/5`` or ``Gi 1/0/5`` -> ``GigabitEthernet1/0/5``."""
        match = re.fullmatch(r"([A-Za-z][A-Za-z-]*)\s*(\d[\d/.:]*)", text.strip())
        if not match:
            return None
        kind, number = match.group(1).lower(), match.group(2)
        for full in self.interface_types:
            if full.lower().startswith(kind):
                return full + number
        return None


@cache
def load_grammar(platform: str) -> Grammar:
    """The grammar shipped for ``platform`` (cisco_ios, huawei_vrp, hp_procurve)."""
    text = (
        resources.files("ictops.lab.switchsim")
        .joinpath(f"grammar/{platform}.yaml")
        .read_text("utf-8")
    )
    raw = yaml.safe_load(text)
    style = raw["style"]
    patterns: dict[tuple[str, str], list[str]] = {}
    for mode, lines in raw.get("syntax", {}).items():
        for line in lines:
            first = line.split()[0]
            for word in first.strip("[]()").split("|") if first.startswith("(") else [first]:
                patterns.setdefault((mode, word), []).append(line)
    return Grammar(
        platform=platform,
        style=Style(
            separator=style["separator"],
            end=style["end"],
            negation=style["negation"],
            comment_prefixes=tuple(style["comment_prefixes"]),
            tail_keywords=tuple(style.get("tail_keywords", ())),
            banner_delimiter=style.get("banner_delimiter"),
            order=tuple(re.compile(p) for p in raw.get("order", ())),
            indent=int(style.get("indent", 1)),
            close=style.get("close"),
        ),
        hostname_key=raw.get("hostname_key", "hostname"),
        default_hostname=raw["default_hostname"],
        prompts=raw["prompts"],
        keywords={m: tuple(d["keywords"]) for m, d in raw["modes"].items()},
        no_args={m: frozenset(d.get("no_args", ())) for m, d in raw["modes"].items()},
        submodes={
            parent: tuple(SubMode(re.compile(p), mode, label) for p, mode, label in entries)
            for parent, entries in raw["submodes"].items()
        },
        canonical=tuple((re.compile(p), r) for p, r in raw.get("canonical", ())),
        single_valued=tuple(re.compile(p) for p in raw["single_valued"]),
        default_on_lines=frozenset(raw["default_on"]),
        interface_types=tuple(raw["interface_types"]),
        interface_args=tuple(raw["interface_args"]),
        syntax={key: compile_patterns(lines) for key, lines in patterns.items()},
        hidden_defaults=tuple((m, re.compile(p)) for m, p in raw.get("hidden_defaults", ())),
        implied=tuple(
            (re.compile(w), re.compile(p), re.compile(x)) for w, p, x in raw.get("implied", ())
        ),
        requires=tuple(
            (m, re.compile(c), re.compile(n.removeprefix("!")), not n.startswith("!"))
            for m, c, n in raw.get("requires", ())
        ),
        sequence_numbers=frozenset(raw.get("sequence_numbers", ())),
        vlan_batch=bool(raw.get("vlan_batch")),
        negation_removes=tuple((re.compile(n), t) for n, t in raw.get("negation_removes", ())),
    )
