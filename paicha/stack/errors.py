"""Errors the stack reports to an operator in one line, and the checks that raise them."""

from __future__ import annotations

import shutil
import socket


class StackError(RuntimeError):
    """Something the operator must fix; the message says what (one line)."""


def require_tool(name: str, how_to_install: str) -> str:
    """Path of an executable on PATH, or a StackError saying what to install."""
    path = shutil.which(name)
    if path is None:
        raise StackError(f"`{name}` was not found on PATH: {how_to_install}")
    return path


def require_free_port(host: str, port: int, setting: str) -> None:
    """Fail early, with the setting to change, when something already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise StackError(
                f"port {host}:{port} is already in use ({exc.strerror}); stop what uses it "
                f"or choose another port with {setting}=<port>"
            ) from None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for private test stacks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
