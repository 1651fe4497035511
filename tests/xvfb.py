"""A throwaway X display (Xvfb), with or without a window manager (openbox).

For the tests and ``make screenshots``: the kiosk in a real window, through Qt's
xcb platform, as on a gate PC.  Xvfb tells us its display number on a pipe once
it accepts connections (``-displayfd``), so nothing waits on a guess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field


class XvfbUnavailableError(RuntimeError):
    pass


@dataclass
class VirtualDisplay:
    width: int
    height: int
    window_manager: bool = False
    display: str = ""
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, timeout: float = 30.0) -> VirtualDisplay:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise XvfbUnavailableError(
                "Xvfb not found (apt-get install xvfb); 'make test' installs it"
            )
        read_end, write_end = os.pipe()
        server = subprocess.Popen(
            [
                xvfb,
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                f"{self.width}x{self.height}x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        self._processes.append(server)
        number = b""
        deadline = time.monotonic() + timeout
        with os.fdopen(read_end, "rb") as pipe:
            while not number.endswith(b"\n"):
                if time.monotonic() > deadline or server.poll() is not None:
                    self.stop()
                    raise XvfbUnavailableError("Xvfb did not start")
                chunk = pipe.read(1)
                if not chunk:
                    self.stop()
                    raise XvfbUnavailableError("Xvfb closed its display pipe")
                number += chunk
        self.display = f":{int(number)}"
        if self.window_manager:
            self._start_window_manager(timeout)
        return self

    def _start_window_manager(self, timeout: float) -> None:
        openbox = shutil.which("openbox")
        if openbox is None:
            self.stop()
            raise XvfbUnavailableError("openbox not found (apt-get install openbox)")
        manager = subprocess.Popen(
            [openbox, "--sm-disable"],
            env={**os.environ, "DISPLAY": self.display},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._processes.append(manager)
        # An EWMH window manager marks the root window once it manages the screen.
        deadline = time.monotonic() + timeout
        while not self._manager_running():
            if time.monotonic() > deadline or manager.poll() is not None:
                self.stop()
                raise XvfbUnavailableError("openbox did not take the screen")
            time.sleep(0.05)  # polling another process's state, with a deadline

    def _manager_running(self) -> bool:
        probe = subprocess.run(
            ["xprop", "-display", self.display, "-root", "_NET_SUPPORTING_WM_CHECK"],
            capture_output=True,
            text=True,
            check=False,
        )
        return "window id" in probe.stdout

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")
        }
        return {**env, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb", **extra}

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self._processes.clear()

    def __enter__(self) -> VirtualDisplay:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
