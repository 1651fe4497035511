"""A fault-injecting TCP proxy on loopback, between the sync client and the server.

Each accepted connection gets one behaviour, drawn from a seeded RNG: pass
through, refuse (close at once), reset in the middle of the request body, reset
in the middle of the response, delay, or answer ``500`` itself.  Resets use
``SO_LINGER 0`` so the peer sees a real RST, as with a flaky NAT or Wi-Fi.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
from collections import Counter

FAULTS = ("pass", "refuse", "reset_request", "reset_response", "delay", "http500")


def _abort(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    def __init__(
        self, upstream_port: int, *, seed: int = 1, fault_rate: float = 0.35, scheme: str = "https"
    ) -> None:
        self.upstream_port = upstream_port
        self.scheme = scheme
        """What the client speaks through the proxy (TLS passes through it as bytes)."""
        self.rng = random.Random(seed)
        self.fault_rate = fault_rate
        self.enabled = True
        self.down = False
        """While set, every connection is refused: the network cable is out."""
        self.counts: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _choose(self) -> str:
        if self.down:
            return "refuse"
        if not self.enabled or self.rng.random() >= self.fault_rate:
            return "pass"
        return self.rng.choice(FAULTS[1:])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fault = self._choose()
        self.counts[fault] += 1
        if fault == "refuse":
            _abort(writer)
            return
        if fault == "http500":
            await reader.read(65536)
            writer.write(
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n"
            )
            await writer.drain()
            writer.close()
            return
        if fault == "delay":
            await asyncio.sleep(self.rng.uniform(0.2, 0.8))
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            _abort(writer)  # the server is down (restarting): the client sees a reset
            return
        cut_request = fault == "reset_request"
        cut_response = fault == "reset_response"

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, cut: bool) -> None:
            try:
                while True:
                    data = await src.read(65536)
                    if not data:
                        break
                    if cut:
                        dst.write(data[: max(1, len(data) // 2)])
                        await dst.drain()
                        _abort(dst)
                        _abort(writer)
                        _abort(up_writer)
                        return
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                with contextlib.suppress(ConnectionError, OSError):
                    dst.close()

        await asyncio.gather(
            pipe(reader, up_writer, cut_request), pipe(up_reader, writer, cut_response)
        )
