"""``python -m ictops.lab.switchsim SPEC.json``: serve the simulated switches until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from ictops.errors import ExitCode, IctopsError
from ictops.lab.switchsim.server import Simulator
from ictops.lab.switchsim.spec import SimSpec


async def _main(spec: SimSpec) -> None:
    simulator = Simulator(spec)
    simulator.bind()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await simulator.serve(stop)


def _setup_logging(spec: SimSpec) -> None:
    handler = logging.FileHandler(spec.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = getattr(logging, spec.log_level.upper(), logging.WARNING)
    root.setLevel(level)
    logging.getLogger("asyncssh").setLevel(max(level, logging.WARNING))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ictops.lab.switchsim SPEC.json", file=sys.stderr)
        return ExitCode.BAD_INPUT
    try:
        spec = SimSpec.load(args[0])
        _setup_logging(spec)
        asyncio.run(_main(spec))
    except OSError as exc:
        print(f"{args[0]}: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    except IctopsError as exc:
        print(f"{args[0]}: {exc}", file=sys.stderr)
        return exc.exit_code
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
