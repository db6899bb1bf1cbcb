"""One window per user: hand a launch's files to the running window, or serve later launches.

The messages and who sends them are in ``lprof_viewer.desktop.instance_protocol``; this
module moves them over Qt's local sockets (a Unix socket, or a named pipe on Windows).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from lprof_viewer.desktop.instance_protocol import (
    MAX_MESSAGE_BYTES,
    Message,
    decode,
    encode,
    open_request,
    requested_paths,
    server_name,
)

#: No server fails at once; a live one accepts at once. This only bounds the odd case.
CONNECT_TIMEOUT_MS = 200
#: How long a launch waits for the running window to take its files before opening its own.
REPLY_TIMEOUT_MS = 5_000


def ask_running_window(
    message: Message, name: str | None = None, timeout_ms: int = REPLY_TIMEOUT_MS
) -> Message | None:
    """Send ``message`` to the running window; answer its reply, or None if none answers."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return None
    socket.write(encode(message))
    received = b""
    while b"\n" not in received:
        if socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
        if not socket.waitForReadyRead(timeout_ms):
            break
        received += bytes(socket.readAll().data())
    received += bytes(socket.readAll().data())
    socket.abort()
    try:
        return decode(received.split(b"\n", 1)[0])
    except ValueError:
        return None


def hand_off_to_running_window(args: argparse.Namespace) -> bool:
    """Give this launch's files to the running window; answer whether it took them."""
    token = os.environ.get("XDG_ACTIVATION_TOKEN")
    reply = ask_running_window(open_request(requested_paths(args), token))
    return bool(reply and reply.get("ok"))


class _Connection(QObject):
    """One launch talking to the server: read a line, answer it, hang up."""

    def __init__(self, socket: QLocalSocket, respond: Callable[[Message], Message]) -> None:
        super().__init__(socket)
        self.socket = socket
        self.respond = respond
        self.received = b""
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(socket.deleteLater)
        self._read()  # what arrived before the signal was connected

    def _read(self) -> None:
        self.received += bytes(self.socket.readAll().data())
        if len(self.received) > MAX_MESSAGE_BYTES:
            self.socket.abort()
            return
        if b"\n" not in self.received:
            return
        line = self.received.split(b"\n", 1)[0]
        try:
            reply = self.respond(decode(line))
        except ValueError:
            reply = {"error": "a message is one JSON object per line"}
        self.socket.write(encode(reply))
        self.socket.disconnectFromServer()  # after the reply is written


class InstanceServer(QObject):
    """Listens for later launches of the same user and answers them with ``respond``."""

    def __init__(self, respond: Callable[[Message], Message], parent: QObject | None = None):
        super().__init__(parent)
        self.respond = respond
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._accept)

    def listen(self, name: str | None = None) -> bool:
        """Start listening; answer False when another live window already does."""
        name = name or server_name()
        if _someone_listens(name):
            return False
        if not os.path.isabs(name):
            # Qt makes the socket user-only by renaming it into place, which would replace
            # one another window just made; a path is in $XDG_RUNTIME_DIR, private already.
            self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if self.server.listen(name):
            return True
        if _someone_listens(name):  # it started listening a moment ago
            return False
        # A window that crashed left its socket file behind: nobody answers it.
        QLocalServer.removeServer(name)
        return self.server.listen(name)

    def close(self) -> None:
        """Stop listening (and remove the socket file)."""
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is not None:
                _Connection(socket, self.respond)


def _someone_listens(name: str) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(name)
    connected = socket.waitForConnected(CONNECT_TIMEOUT_MS)
    socket.abort()
    return connected
