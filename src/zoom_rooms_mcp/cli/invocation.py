"""How to start this program again, as printed in configurations and hints.

MCP clients (desktop apps) run commands with their own ``PATH`` and working directory, and a user who copied a
hint from the terminal may not have the virtualenv activated. So configurations name the absolute path of the
running executable, and hints name either that path or the bare command when the ``PATH`` finds the same file.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import sysconfig
from pathlib import Path

PROG = "zoom-rooms-mcp"
MODULE = "zoom_rooms_mcp"


def _script_name() -> str:
    return f"{PROG}.exe" if os.name == "nt" else PROG


def _is_our_script(path: Path) -> bool:
    return path.name.lower() in (PROG, f"{PROG}.exe") and path.is_file()


def running_script() -> Path | None:
    """The absolute path of the ``zoom-rooms-mcp`` console script of this installation, when there is one.

    The script that was run (``sys.argv[0]``, found through ``PATH`` when it has no directory) comes first;
    under ``python -m zoom_rooms_mcp``, the console script installed beside this interpreter.
    """
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and Path(argv0).name != "__main__.py":
        found = argv0 if os.sep in argv0 or (os.altsep and os.altsep in argv0) else shutil.which(argv0)
        if found and _is_our_script(Path(found)):
            return Path(os.path.abspath(found))
    beside = Path(sysconfig.get_path("scripts")) / _script_name()
    if _is_our_script(beside):
        return Path(os.path.abspath(beside))
    return None


def server_argv() -> list[str]:
    """An absolute command line that starts this program: the console script, or ``python -m zoom_rooms_mcp``."""
    script = running_script()
    if script is not None:
        return [str(script)]
    return [os.path.abspath(sys.executable), "-m", MODULE]


def hint_command() -> str:
    """The program as it should appear in a printed hint: a shell command that works as printed.

    The bare name when ``PATH`` finds this very installation's script, else the absolute command line.
    """
    argv = server_argv()
    on_path = shutil.which(PROG)
    if len(argv) == 1 and on_path is not None and _same_file(on_path, argv[0]):
        return PROG
    return shlex.join(argv)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
