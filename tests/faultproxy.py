"""A TCP port in front of a real database server that a test can make fail.

Modes: "up" forwards every connection to the server; "down" closes the port (nothing
listens: connections are refused) and drops every open connection; "blackhole" accepts
connections and never answers (like a hung host), also dropping the forwarded ones.
"""

import contextlib
import socket
import threading


class FaultProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.mode = "up"
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = self.free_port()
        self._listen()

    @staticmethod
    def free_port() -> int:
        """A port on 127.0.0.1 that nothing listens on right now."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def set(self, mode: str) -> None:
        """Switch to "up", "down" or "blackhole"; open connections are dropped."""
        assert mode in ("up", "down", "blackhole"), mode
        with self._lock:
            self.mode = mode
            self._drop_all()
        if mode == "down":
            self._close_listener()
        elif self._listener is None:
            self._listen()

    def close(self) -> None:
        with self._lock:
            self._drop_all()
        self._close_listener()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _drop_all(self) -> None:
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the port was closed
            with self._lock:
                self._open.append(client)
                if self.mode != "up":
                    continue  # a black hole: hold the connection, never answer
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    client.close()
                    continue
                server.settimeout(None)
                self._open.append(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
