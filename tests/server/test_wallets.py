"""Wallet passes from the guest's ticket page, signed with throwaway credentials the test
makes: Apple's .pkpass (manifest hashes, a detached PKCS #7 signature that openssl
verifies against the test's root through the WWDR intermediate) and Google's save link
(an RS256 JWT checked with the public half of the key).  In both, the barcode is the
ticket's own code and verifies as a genuine ticket.  SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from scanner import verify
from sync.config import ServerConfig
from sync.server.delivery.links import link_secret, ticket_token
from sync.server.delivery.wallets import GOOGLE_SAVE
from sync.server.services.accounts import Role
from tests.certificates import certificate, new_key, write_certificate, write_key
from tests.server.conftest import ServerHandle, start_server
from tests.server.console_client import signed_in
from tests.server.test_api import server_keyring
from ui.demo.seed import seed_demo


def apple_chain(tmp_path: Path) -> dict[str, str]:
    """Root -> a stand-in for Apple's WWDR intermediate -> the pass type certificate."""
    root_key, wwdr_key, pass_key = new_key(), new_key(), new_key()
    root = certificate("Test Root CA", root_key, "Test Root CA", root_key, ca=True)
    wwdr = certificate("Test WWDR", wwdr_key, "Test Root CA", root_key, ca=True)
    subject = "Pass Type ID: pass.org.example.tickets"
    cert = certificate(subject, pass_key, "Test WWDR", wwdr_key, ca=False)
    return {
        "root": write_certificate(tmp_path / "root.pem", root),
        "wallet_wwdr_cert": write_certificate(tmp_path / "wwdr.pem", wwdr),
        "wallet_cert": write_certificate(tmp_path / "pass.pem", cert),
        "wallet_key": write_key(tmp_path / "pass.key", pass_key, b"pass phrase"),
    }


def google_account(tmp_path: Path) -> tuple[str, rsa.RSAPublicKey]:
    key = rsa.generate_private_key(65537, 2048)
    document = {
        "type": "service_account",
        "client_email": "wallet@admitone-test.iam.gserviceaccount.com",
        "private_key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(document))
    return str(path), key.public_key()


def serve(database_url: str, tmp_path: Path, **settings: Any) -> ServerHandle:
    return start_server(ServerConfig(keys_dir=str(tmp_path / "keys"), **settings), database_url)


@pytest.fixture
def chain(tmp_path: Path) -> dict[str, str]:
    return apple_chain(tmp_path)


@pytest.fixture
def wallet_server(
    database_url: str, tmp_path: Path, chain: dict[str, str]
) -> Iterator[tuple[ServerHandle, Any]]:
    credentials, public = google_account(tmp_path)
    handle = serve(
        database_url,
        tmp_path,
        wallet_pass_type_id="pass.org.example.tickets",
        wallet_team_id="TEAM123456",
        wallet_organization="Harbour Events",
        wallet_cert=chain["wallet_cert"],
        wallet_key=chain["wallet_key"],
        wallet_key_password="pass phrase",
        wallet_wwdr_cert=chain["wallet_wwdr_cert"],
        google_wallet_issuer_id="3388000000012345678",
        google_wallet_credentials=credentials,
    )
    yield handle, public
    handle.live.stop()


def page(server: ServerHandle, ticket_id: str) -> str:
    keys = Path(server.app.state.admitone.keys_dir)
    return f"/t/{ticket_token(link_secret(keys), ticket_id)}"


def openssl_verifies(directory: Path, root: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "openssl", "smime", "-verify", "-binary", "-inform", "DER",
            "-in", str(directory / "signature"), "-content", str(directory / "manifest.json"),
            "-CAfile", root, "-purpose", "any", "-out", "/dev/null",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_an_apple_wallet_pass_is_signed_and_carries_the_genuine_code(
    wallet_server: tuple[ServerHandle, Any], chain: dict[str, str], tmp_path: Path
) -> None:
    server, _ = wallet_server
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
    vip = demo.by_type("VIP")[0]
    with httpx.Client(base_url=server.url, timeout=30) as guest:
        html = guest.get(page(server, vip["ticket_id"])).text
        assert "Add to Apple Wallet" in html
        assert "Save to Google Wallet" in html
        response = guest.get(page(server, vip["ticket_id"]) + "/wallet.pkpass")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.apple.pkpass"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"pass.json", "manifest.json", "signature", "icon.png", "icon@2x.png"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest) == names - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(archive.read(name)).hexdigest() == digest, name
    document = json.loads(archive.read("pass.json"))
    assert document["passTypeIdentifier"] == "pass.org.example.tickets"
    assert document["teamIdentifier"] == "TEAM123456"
    assert document["serialNumber"] == vip["ticket_id"]
    assert "relevantDate" in document
    (location,) = document["locations"]  # the venue's: the pass comes up near it
    assert (location["latitude"], location["longitude"]) == (-6.1045, 106.8805)
    (barcode,) = document["barcodes"]
    assert barcode["format"] == "PKBarcodeFormatQR"
    assert barcode["message"] == vip["code"]
    result = verify(barcode["message"], server_keyring(server))
    assert result.genuine
    fields = {f["key"]: f["value"] for f in document["eventTicket"]["secondaryFields"]}
    assert (fields["section"], fields["row"], fields["seat"]) == ("A", "1", "1")

    unpacked = tmp_path / "pass"
    archive.extractall(unpacked)
    verified = openssl_verifies(unpacked, chain["root"])
    assert verified.returncode == 0, verified.stderr
    # A manifest changed after signing no longer verifies.
    (unpacked / "manifest.json").write_bytes(archive.read("manifest.json").replace(b"}", b" }"))
    assert openssl_verifies(unpacked, chain["root"]).returncode != 0


def test_a_google_wallet_link_is_a_jwt_signed_with_the_service_account(
    wallet_server: tuple[ServerHandle, Any],
) -> None:
    server, public = wallet_server
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
    vip = demo.by_type("VIP")[0]
    with httpx.Client(base_url=server.url, timeout=30) as guest:
        response = guest.get(page(server, vip["ticket_id"]) + "/google-wallet")
    assert response.status_code == 303
    link = response.headers["location"]
    assert link.startswith(GOOGLE_SAVE)
    token = link.removeprefix(GOOGLE_SAVE)
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="google")
    assert claims["iss"] == "wallet@admitone-test.iam.gserviceaccount.com"
    assert claims["typ"] == "savetowallet"
    (ticket,) = claims["payload"]["eventTicketObjects"]
    assert ticket["id"] == f"3388000000012345678.{vip['ticket_id']}"
    assert ticket["barcode"]["type"] == "QR_CODE"
    assert verify(ticket["barcode"]["value"], server_keyring(server)).genuine
    assert ticket["barcode"]["value"] == vip["code"]
    (event_class,) = claims["payload"]["eventTicketClasses"]
    assert ticket["classId"] == event_class["id"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, rsa.generate_private_key(65537, 2048).public_key(),
                   algorithms=["RS256"], audience="google")  # fmt: skip


def test_a_void_ticket_has_no_pass(wallet_server: tuple[ServerHandle, Any]) -> None:
    server, _ = wallet_server
    with server.admin() as admin:
        demo = seed_demo(admin, general=1)
        ticket = demo.by_type("GA")[0]
        admin.post(f"/tickets/{ticket['ticket_id']}/refund", json={"reason": "refunded"})
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as guest:
        for suffix in ("/wallet.pkpass", "/google-wallet"):
            response = guest.get(page(server, ticket["ticket_id"]) + suffix)
            assert response.status_code == 410, suffix
            assert "admits no one" in response.text


def test_a_missing_or_wrong_certificate_says_which_setting_to_fix(
    database_url: str, tmp_path: Path, chain: dict[str, str]
) -> None:
    other_key = tmp_path / "other.key"
    other_key.write_bytes(
        rsa.generate_private_key(65537, 2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = serve(
        database_url,
        tmp_path,
        wallet_pass_type_id="pass.org.example.tickets",
        wallet_team_id="TEAM123456",
        wallet_cert=str(tmp_path / "absent.pem"),
        wallet_key=str(other_key),
        wallet_wwdr_cert=chain["wallet_wwdr_cert"],
    )
    try:
        with server.admin() as admin:
            demo = seed_demo(admin, general=1)
        ticket = demo.by_type("GA")[0]["ticket_id"]
        with httpx.Client(base_url=server.url, timeout=30) as guest:
            html = guest.get(page(server, ticket)).text
            assert "Add to Apple Wallet" in html
            assert "Save to Google Wallet" not in html  # not configured: no button
            missing = guest.get(page(server, ticket) + "/wallet.pkpass")
            assert missing.status_code == 409
            assert "cannot read wallet_cert" in missing.text
            google = guest.get(page(server, ticket) + "/google-wallet")
            assert google.status_code == 409
            assert "Google Wallet is not set up" in google.text
        # The console says so on the ticket's page; everything else still works.
        owner = signed_in(server, Role.OWNER)
        console = owner.get(f"/console/tickets/{ticket}")
        assert console.status_code == 200
        assert "cannot read wallet_cert" in console.text
        with server.admin() as admin:
            assert admin.get(f"/tickets/{ticket}").status_code == 200
    finally:
        server.live.stop()
    wrong = serve(
        database_url.replace(".db", "-2.db") if database_url.startswith("sqlite") else database_url,
        tmp_path / "second",
        wallet_pass_type_id="pass.org.example.tickets",
        wallet_team_id="TEAM123456",
        wallet_cert=chain["wallet_cert"],
        wallet_key=str(other_key),
        wallet_wwdr_cert=chain["wallet_wwdr_cert"],
    )
    try:
        with wrong.admin() as admin:
            demo = seed_demo(admin, general=1)
        ticket = demo.by_type("GA")[0]["ticket_id"]
        with httpx.Client(base_url=wrong.url, timeout=30) as guest:
            response = guest.get(page(wrong, ticket) + "/wallet.pkpass")
        assert response.status_code == 409
        assert "wallet_key is not the key of wallet_cert" in response.text
    finally:
        wrong.live.stop()
