"""The ``admitone`` CLI through its real entry point (the installed console script)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import segno

from scanner import Keyring, load_private_key, verify

ADMITONE = str(Path(sys.executable).with_name("admitone"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ADMITONE, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def keydir(tmp_path: Path) -> tuple[Path, str]:
    result = run("ticket", "keygen", "--out", str(tmp_path / "keys"))
    assert result.returncode == 0, result.stderr
    return tmp_path / "keys", result.stdout.strip()


def test_keygen_writes_a_private_key_readable_only_by_its_owner(keydir: tuple[Path, str]) -> None:
    directory, kid = keydir
    assert len(kid) == 8
    private, public = directory / f"{kid}.key", directory / f"{kid}.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert load_private_key(private) is not None


def test_sign_prints_a_code_that_verify_accepts_with_all_claims(
    keydir: tuple[Path, str], tmp_path: Path
) -> None:
    directory, kid = keydir
    png = tmp_path / "ticket.png"
    signed = run(
        "ticket",
        "sign",
        "--key",
        str(directory / f"{kid}.key"),
        "--event",
        "42",
        "--type",
        "VIP",
        "--zones",
        "main,vip",
        "--seat",
        "B/12/7",
        "--accessible",
        "--valid-from",
        "2026-11-24T17:00+07:00",
        "--valid-until",
        "2026-11-24T23:30+07:00",
        "--png",
        str(png),
    )
    assert signed.returncode == 0, signed.stderr
    text = signed.stdout.removesuffix("\n")  # a Base45 code may begin or end with a space
    assert png.read_bytes().startswith(b"\x89PNG")

    checked = run("ticket", "verify", "--keys", str(directory), "--json", text)
    assert checked.returncode == 0
    doc = json.loads(checked.stdout)
    assert doc["genuine"] is True
    assert doc["key_id"] == kid
    claims = doc["claims"]
    assert claims["event_id"] == 42
    assert claims["ticket_type"] == "VIP"
    assert claims["zones"] == ["main", "vip"]
    assert claims["seat"] == "B/12/7"
    assert claims["accessible"] is True
    assert claims["valid_from"] == "2026-11-24T10:00:00+00:00"
    assert claims["valid_until"] == "2026-11-24T16:30:00+00:00"
    assert verify(text, Keyring.from_directory(directory)).genuine
    assert int(segno.make_qr(text, error="m", boost_error=False).version) <= 6


def test_verify_of_a_forgery_prints_the_reason_and_exits_1(keydir: tuple[Path, str]) -> None:
    directory, kid = keydir
    text = run("ticket", "sign", "--key", str(directory / f"{kid}.key"), "--event", "1").stdout
    text = text.removesuffix("\n")
    forged = text[:-1] + ("0" if text[-1] != "0" else "1")
    plain = run("ticket", "verify", "--keys", str(directory), forged)
    assert plain.returncode == 1
    assert plain.stdout.splitlines()[0] in {
        "not genuine: bad_signature",
        "not genuine: bad_encoding",
    }
    as_json = run("ticket", "verify", "--keys", str(directory), "--json", "nonsense")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == {
        "genuine": False,
        "key_id": None,
        "reason": "bad_encoding",
    }


def test_verify_with_another_issuers_keys_is_unknown_key(
    keydir: tuple[Path, str], tmp_path: Path
) -> None:
    directory, kid = keydir
    text = run("ticket", "sign", "--key", str(directory / f"{kid}.key"), "--event", "1").stdout
    run("ticket", "keygen", "--out", str(tmp_path / "other"))
    result = run("ticket", "verify", "--keys", str(tmp_path / "other"), text.removesuffix("\n"))
    assert result.returncode == 1
    assert result.stdout.startswith("not genuine: unknown_key")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--valid-from", "2026-11-24T17:00", "--valid-until", "2026-11-24T18:00+07:00"],
            "Error: --valid-from: add a time zone offset, e.g. 2026-11-24T17:00+07:00",
        ),
        (["--seat", "B-12-7"], "Error: seat must look like SECTION/ROW/NUMBER, got 'B-12-7'"),
        (["--zones", "main,moon"], "Error: unknown zone 'moon'"),
    ],
)
def test_sign_mistakes_get_a_message_and_exit_2(
    keydir: tuple[Path, str], extra: list[str], message: str
) -> None:
    directory, kid = keydir
    result = run("ticket", "sign", "--key", str(directory / f"{kid}.key"), "--event", "1", *extra)
    assert result.returncode == 2
    assert result.stderr.startswith(message)


def test_a_missing_key_file_says_so(tmp_path: Path) -> None:
    result = run("ticket", "sign", "--key", str(tmp_path / "nope.key"), "--event", "1")
    assert result.returncode == 2
    assert "Error: cannot read key file" in result.stderr


def test_demo_prints_every_scenario_verdict(tmp_path: Path) -> None:
    result = run("demo", "--workdir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in [
        "ADMITTED",
        "repeat of the last verdict",
        "INVALID (bad_signature)",
        "REVOKED (refunded)",
        "not in manifest",
        "WRONG_EVENT",
        "NOT_ALLOWED_HERE",
        "EXITED",
        "NEEDS_EXIT_FIRST",
    ]:
        assert expected in out
