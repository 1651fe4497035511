"""Two programs, one package: the wheel installs as the ticket tools alone, as a kiosk
(no web server, no database drivers) or as a server (no Qt, no OpenCV, no decoders).

The wheel is built from this checkout and each install goes into a fresh virtual
environment, as an operator's ``pip install "admitone[kiosk]"`` would; then each
runs its own commands, and the other side's libraries must be absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import scanner

ROOT = Path(__file__).parents[1]
KIOSK_ONLY = ["PySide6", "cv2", "numpy", "zxingcpp", "pyzbar", "apscheduler"]
SERVER_ONLY = ["fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg"]

pytestmark = pytest.mark.slow


def test_the_domain_names_load_on_first_use_and_all_of_them_resolve() -> None:
    """``scanner``'s public names are loaded lazily (the server needs the fold, not the
    kiosk's store); the list and the map behind it must not drift apart."""
    assert sorted(scanner.__all__) == sorted(scanner._EXPORTS)
    for name in scanner.__all__:
        assert getattr(scanner, name) is not None
    code = "import sys, scanner.state; print('scanner.store' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("admitone-*.whl")
    return built


@pytest.fixture(scope="module")
def installs(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fresh virtual environment for each of: the bare package, kiosk, server."""
    base = tmp_path_factory.mktemp("installs")

    def install(extra: str) -> tuple[str, Path]:
        target = base / (extra or "bare")
        venv.EnvBuilder(with_pip=True, clear=True).create(target)
        spec = f"{wheel}[{extra}]" if extra else str(wheel)
        result = subprocess.run(
            [str(target / "bin" / "python"), "-m", "pip", "install", "-q", spec],
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return extra or "bare", target

    with ThreadPoolExecutor(3) as pool:
        return dict(pool.map(install, ["", "kiosk", "server"]))


def _run(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of that install, away from this checkout (nothing of it on the path)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    clean["ADMITONE_DATA_DIR"] = str(cwd / "data")
    clean["HOME"] = str(cwd)
    return subprocess.run(
        [str(env / "bin" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean,
        timeout=180,
    )


def _absent(env: Path, modules: list[str], cwd: Path) -> list[str]:
    code = (
        "import importlib.util, sys; "
        "print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))"
    )
    found = _run(env, "python", "-c", code, *modules, cwd=cwd)
    assert found.returncode == 0, found.stderr
    return found.stdout.split()


def test_the_bare_package_is_the_ticket_tools(installs: dict[str, Path], tmp_path: Path) -> None:
    bare = installs["bare"]
    assert _absent(bare, KIOSK_ONLY + SERVER_ONLY + ["pydantic", "httpx"], tmp_path) == []
    keygen = _run(
        bare, "admitone", "ticket", "keygen", "--out", str(tmp_path / "keys"), cwd=tmp_path
    )
    assert keygen.returncode == 0, keygen.stderr
    (key,) = (tmp_path / "keys").glob("*.key")
    signed = _run(
        bare, "admitone", "ticket", "sign", "--key", str(key), "--event", "7", cwd=tmp_path
    )
    assert signed.returncode == 0, signed.stderr
    checked = _run(
        bare,
        "admitone",
        "ticket",
        "verify",
        "--keys",
        str(tmp_path / "keys"),
        signed.stdout.strip(),
        cwd=tmp_path,
    )
    assert checked.returncode == 0, checked.stderr
    # The kiosk's commands say what to install rather than fail with a traceback.
    decode = _run(bare, "admitone", "decode", str(tmp_path / "none.png"), cwd=tmp_path)
    assert decode.returncode == 2
    assert "pip install 'admitone[kiosk]'" in decode.stderr
    assert "Traceback" not in decode.stderr


def test_the_kiosk_install_has_no_server(installs: dict[str, Path], tmp_path: Path) -> None:
    kiosk = installs["kiosk"]
    assert _absent(kiosk, SERVER_ONLY, tmp_path) == []
    assert _absent(kiosk, KIOSK_ONLY, tmp_path) == KIOSK_ONLY
    help_text = _run(kiosk, "admitone", "kiosk", "--help", cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    assert "enrol" in help_text.stdout
    demo = _run(kiosk, "admitone", "demo", "--workdir", str(tmp_path / "demo"), cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "journal: admitted 5, exited 1, invalid 1" in demo.stdout
    server = _run(
        kiosk,
        "admitone",
        "server",
        "init",
        "--database",
        f"sqlite:///{tmp_path}/s.db",
        cwd=tmp_path,
    )
    assert server.returncode == 2
    assert "pip install 'admitone[server]'" in server.stderr
    assert "Traceback" not in server.stderr


def test_the_server_install_has_no_kiosk(installs: dict[str, Path], tmp_path: Path) -> None:
    server = installs["server"]
    assert _absent(server, KIOSK_ONLY, tmp_path) == []
    assert _absent(server, SERVER_ONLY, tmp_path) == SERVER_ONLY
    help_text = _run(server, "admitone", "server", "--help", cwd=tmp_path)
    assert help_text.returncode == 0, help_text.stderr
    assert "enrol-code" in help_text.stdout
    database = f"sqlite:///{tmp_path}/server.db"
    init = _run(server, "admitone", "server", "init", "--database", database, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "admin token" in init.stdout
    devices = _run(server, "admitone", "server", "devices", "--database", database, cwd=tmp_path)
    assert devices.returncode == 0, devices.stderr
    assert "no kiosks enrolled yet" in devices.stdout
    console = _run(
        server,
        "python",
        "-c",
        "from sync.server.console.context import HERE, templates; "
        "templates.get_template('doors.html'); "
        "print((HERE / 'static' / 'console.css').stat().st_size)",
        cwd=tmp_path,
    )
    assert console.returncode == 0, console.stderr  # the console's pages ship in the wheel
    assert int(console.stdout) > 1000
    kiosk = _run(server, "admitone", "kiosk", "sync", cwd=tmp_path)
    assert kiosk.returncode == 2
    assert "pip install 'admitone[kiosk]'" in kiosk.stderr
