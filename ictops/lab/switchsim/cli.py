"""The command-line state machine shared by the simulated platforms (no I/O).

A ``Cli`` takes one input line at a time and returns a ``Reply``: the output to
print before the next prompt. The server layer owns echo, sockets and faults.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from ictops.lab.switchsim.device import Device
from ictops.lab.switchsim.grammar import Grammar


@dataclass
class Reply:
    """What one input line produced."""

    output: str = ""
    kind: str = ""  # "show" (command output), "config" (a config dump), "" (anything else)
    echo: bool = True  # echo the next input line (False while a password is typed)
    close: bool = False  # the session ends after the output


@dataclass
class Frame:
    """One configuration mode on the mode stack."""

    mode: str
    path: tuple[str, ...]
    label: str


Handler = Callable[[list[str]], Reply]


@dataclass(frozen=True)
class Command:
    """An exec-mode command: its words (abbreviations allowed) and what it does."""

    words: tuple[str, ...]
    handler: Handler = field(compare=False)
    privileged: bool = False
    takes_args: bool = False


class Cli:
    """One login session on one device."""

    exit_word: ClassVar[str]
    end_word: ClassVar[str]
    invalid_message: ClassVar[str]
    incomplete_message: ClassVar[str]
    ambiguous_message: ClassVar[str]
    press_any_key: ClassVar[bool] = False  # the greeting waits for a key before the prompt
    page_lines: int | None = None  # long output stops for a key every N lines (None: never)

    def __init__(self, device: Device, username: str = "admin"):
        self.device = device
        self.grammar: Grammar = device.grammar
        self.username = username
        self.privileged = False
        self.frames: list[Frame] = []
        self.pending: Callable[[str], Reply] | None = None  # the next line answers a question
        self.commands = self.exec_commands()

    # -- to be provided by each platform --------------------------------------------------
    def exec_commands(self) -> list[Command]:
        raise NotImplementedError

    def greeting(self) -> str:
        return ""

    def after_key(self) -> str:
        """What a ``press_any_key`` device prints once the key came, before the prompt."""
        return ""

    def config_exec(self, words: list[str]) -> Reply | None:
        """A config-mode line that runs an exec command (IOS ``do``, VRP ``display``)."""
        return None

    def config_special(self, line: str) -> Reply | None:
        """A config line the generic rules do not cover (IOS banners)."""
        return None

    # -- prompt ----------------------------------------------------------------------------
    def prompt(self) -> str:
        host = self.device.hostname
        prompts = self.grammar.prompts
        if not self.frames:
            return prompts["privileged" if self.privileged else "exec"].format(host=host)
        if len(self.frames) == 1:
            return prompts["config"].format(host=host)
        frame = self.frames[-1]
        return prompts["sub"].format(host=host, mode=frame.mode, label=frame.label)

    # -- input -------------------------------------------------------------------------------
    def handle(self, raw: str) -> Reply:
        """Process one input line (a trailing Ctrl-Z leaves configuration mode)."""
        if self.pending is not None:
            answer, self.pending = self.pending, None
            return answer(raw)
        ctrl_z = "\x1a" in raw
        line = " ".join(raw.replace("\x1a", "").split())
        if ctrl_z and self.frames:
            self.frames = []
            return Reply()
        if not line:
            return Reply()
        if self.frames:
            return self._config(line)
        return self.run_exec(line)

    def run_exec(self, line: str) -> Reply:
        """Run an exec command line, with an optional ``| include/exclude/begin`` filter."""
        command_part, _, pipe = line.partition(" | ")
        words = command_part.split()
        found, depth = self._match(words)
        if found is None:
            if depth == len(words):
                return self.error(self.incomplete_message, line, len(line))
            return self.error(self.invalid_message, line, _offset(line, depth))
        reply = found.handler(words[len(found.words) :])
        if pipe:
            reply.output = _filter(reply.output, pipe)
        return reply

    def _match(self, words: list[str]) -> tuple[Command | None, int]:
        """The command ``words`` name, or (None, index of the first word that matched nothing)."""
        usable = [c for c in self.commands if self.privileged or not c.privileged]
        best: Command | None = None
        best_score = (-1, -1)
        depth = 0
        for command in usable:
            matched = 0
            for cw, w in zip(command.words, words):
                if not cw.startswith(w.lower()):
                    break
                matched += 1
            depth = max(depth, matched)
            full = matched == len(command.words)
            if not full or (len(words) > matched and not command.takes_args):
                continue
            exact = sum(cw == w.lower() for cw, w in zip(command.words, words))
            if (matched, exact) > best_score:
                best, best_score = command, (matched, exact)
        return best, depth

    def _config(self, line: str) -> Reply:
        words = line.split()
        first = words[0].lower()
        if first == self.exit_word:
            self.frames.pop()
            return Reply()
        if first == self.end_word:
            self.frames = []
            return Reply()
        special = self.config_exec(words)
        if special is not None:
            return special
        negation = self.grammar.style.negation
        negate = first in (negation, "default")
        body = words[1:] if negate else words
        skip = int(negate)  # words before the command's keyword
        if body and body[0].isdigit() and self.frames[-1].mode in self.grammar.sequence_numbers:
            if len(body) == 1:
                return Reply()  # "no 10": entries are not numbered in this simulator
            body, skip = body[1:], skip + 1  # a sequence number the running-config never shows
        if not body:
            return self.error(self.incomplete_message, line, len(line))
        level = len(self.frames) - 1
        keyword: str | list[str] | None = None
        while level >= 0:
            keyword = self.grammar.resolve_keyword(self.frames[level].mode, body[0])
            if isinstance(keyword, str):
                break
            if isinstance(keyword, list) and level == len(self.frames) - 1:
                return self.error(self.ambiguous_message, line, _offset(line, skip))
            level -= 1
        if not isinstance(keyword, str):
            return self.error(self.invalid_message, line, _offset(line, skip))
        mode = self.frames[level].mode
        checked = self.grammar.check(mode, [keyword, *body[1:]], negate=negate)
        if checked is not None and checked.error:
            return self._syntax_error(checked.error, line, skip + checked.position)
        typed = " ".join(checked.words if checked else [keyword, *body[1:]])
        text = self.grammar.canonicalize(typed)
        if text is None:
            return self.error(self.invalid_message, line, _offset(line, skip + 1))
        sub = self.grammar.submode_for(mode, text)
        alone_ok = sub is not None or negate or keyword in self.grammar.no_args.get(mode, ())
        if checked is None and len(body) == 1 and not alone_ok:
            return self.error(self.incomplete_message, line, len(line))
        if not self.device.allows(mode, text):
            return self.error(self.invalid_message, line, _offset(line, skip + 1))
        del self.frames[level + 1 :]
        frame = self.frames[-1]
        if negate:
            self.device.negate(frame.path, text, self.username, record=first == negation)
            return Reply()
        special = self.config_special(text)
        if special is not None:
            return special
        if sub is not None:
            path = (*frame.path, text)
            self.device.ensure(path, self.username)
            self.frames.append(Frame(sub[0], path, sub[1]))
            return Reply()
        if self.grammar.hidden(mode, text):  # setting the default: the line goes away
            self.device.set_default(frame.path, text, self.username)
            return Reply()
        self.device.set_line(frame.path, text, self.username)
        return Reply()

    def _syntax_error(self, error: str, line: str, word: int) -> Reply:
        if error == "incomplete":
            return self.error(self.incomplete_message, line, len(line))
        message = self.ambiguous_message if error == "ambiguous" else self.invalid_message
        return self.error(message, line, _offset(line, word))

    def enter_config(self, label: str = "config") -> None:
        self.frames = [Frame("config", (), label)]

    def error(self, message: str, line: str, column: int) -> Reply:
        """An error with a caret under ``column`` of the line typed after the prompt."""
        message = message.replace("{line}", line)
        if "'^'" not in message:
            return Reply(message)
        caret = " " * (len(self.prompt()) + column) + "^"
        return Reply(f"{caret}\n{message}")


def _offset(line: str, word_index: int) -> int:
    """Column where word ``word_index`` of ``line`` starts (end of line when past the end)."""
    positions = [m.start() for m in re.finditer(r"\S+", line)]
    return positions[word_index] if word_index < len(positions) else len(line)


def _filter(output: str, pipe: str) -> str:
    """Apply ``include REGEX``, ``exclude REGEX`` or ``begin REGEX`` to output lines."""
    verb, _, pattern = pipe.strip().partition(" ")
    try:
        regex = re.compile(pattern)
    except re.error:
        return output
    lines = output.split("\n")
    if "include".startswith(verb):
        lines = [ln for ln in lines if regex.search(ln)]
    elif "exclude".startswith(verb):
        lines = [ln for ln in lines if not regex.search(ln)]
    elif "begin".startswith(verb):
        start = next((i for i, ln in enumerate(lines) if regex.search(ln)), len(lines))
        lines = lines[start:]
    return "\n".join(lines)
