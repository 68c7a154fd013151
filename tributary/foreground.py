"""Serving HTTP in the foreground until the user stops it: the one loop that the sandbox API
(`tributary sandbox serve-api`) and the docs site (`tributary dev serve-docs`) share.

This module is the bottom layer: it imports none of the project's code.
"""

from __future__ import annotations

import signal
import socketserver
from types import FrameType


def stop_on_ctrl_c_or_sigterm() -> None:
    """Make Ctrl-C and SIGTERM (what a supervisor or CI sends) both raise KeyboardInterrupt,
    even where the shell that started the process in the background set SIGINT to be ignored.
    Python installs signal handlers from the main thread only: call it there."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_until_stopped(server: socketserver.BaseServer) -> None:
    """Serve until KeyboardInterrupt (Ctrl-C; SIGTERM too after stop_on_ctrl_c_or_sigterm),
    then close the server's socket: a stop is a clean return, not an error."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
