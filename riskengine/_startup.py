"""A quiet Ctrl-C while the command line is still starting (importing its libraries).

Importing pandas, scikit-learn and the solvers takes a second or two, before
the command line's own error handling runs. When riskengine is imported as the
``riskengine`` command (or ``python -m riskengine``), a Ctrl-C in that window
exits with code 130 and the word "interrupted", without a traceback.
:func:`restore_interrupt` puts Python's usual handler back once the command
line runs; importing riskengine as a library never changes the handler.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

__all__ = ["quiet_interrupt", "restore_interrupt"]


def quiet_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGINT during start-up: say so and exit 130 (nothing to clean up yet)."""
    os.write(2, b"interrupted\n")
    os._exit(130)


def _is_command_line() -> bool:
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if "-m" in argv[:-1] and argv[argv.index("-m") + 1] == "riskengine":
        return True
    return bool(sys.argv) and Path(sys.argv[0]).stem == "riskengine"


def restore_interrupt() -> None:
    """Python's own SIGINT handler again (KeyboardInterrupt), if start-up replaced it."""
    if signal.getsignal(signal.SIGINT) is quiet_interrupt:
        signal.signal(signal.SIGINT, signal.default_int_handler)


if (
    threading.current_thread() is threading.main_thread()
    and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    and _is_command_line()
):
    signal.signal(signal.SIGINT, quiet_interrupt)
