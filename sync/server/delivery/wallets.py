"""Wallet passes: Apple Wallet's signed ``.pkpass`` and a "Save to Google Wallet" link.

Both carry the ticket's own signed code as a QR barcode, exactly the text the gate
verifies offline; the wallet is only a place to keep it.

Apple: a zip of ``pass.json`` (an event ticket), images, ``manifest.json`` (each
file's SHA-1) and ``signature``, a detached PKCS #7 signature of the manifest made with
the organiser's pass type certificate, carrying Apple's WWDR intermediate.

Google: a JWT (RS256, signed with the organiser's service account key) holding an
event ticket class (the event) and object (this ticket); the link
``https://pay.google.com/gp/v/save/{jwt}`` adds it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from PIL import Image, ImageDraw

from sync.config import ServerConfig
from sync.server.delivery.pdf import LABELS, PrintableTicket

GOOGLE_SAVE = "https://pay.google.com/gp/v/save/"


class WalletNotSetUp(Exception):
    """This server has no (usable) credentials for that wallet; the message says which
    setting to fix."""


@dataclass(frozen=True, slots=True)
class AppleSigner:
    pass_type_id: str
    team_id: str
    organization: str
    certificate: x509.Certificate
    key: Any
    wwdr: x509.Certificate


def apple_configured(config: ServerConfig) -> bool:
    return bool(config.wallet_pass_type_id)


def apple_signer(config: ServerConfig) -> AppleSigner:
    """The pass signer from the configuration, or :class:`WalletNotSetUp` naming what
    is missing or unreadable."""
    if not config.wallet_pass_type_id or not config.wallet_team_id:
        raise WalletNotSetUp(
            "Apple Wallet is not set up: set wallet_pass_type_id and wallet_team_id"
        )

    def read(setting: str) -> bytes:
        path = getattr(config, setting)
        if not path:
            raise WalletNotSetUp(f"Apple Wallet is not set up: set {setting} (a PEM file)")
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise WalletNotSetUp(f"Apple Wallet: cannot read {setting} {path}: {exc}") from exc

    try:
        certificate = x509.load_pem_x509_certificate(read("wallet_cert"))
        wwdr = x509.load_pem_x509_certificate(read("wallet_wwdr_cert"))
        key = serialization.load_pem_private_key(
            read("wallet_key"), config.wallet_key_password.encode() or None
        )
    except (ValueError, TypeError) as exc:
        raise WalletNotSetUp(f"Apple Wallet: a certificate or key is not valid PEM: {exc}") from exc
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():  # type: ignore[union-attr]
        raise WalletNotSetUp("Apple Wallet: wallet_key is not the key of wallet_cert")
    return AppleSigner(
        config.wallet_pass_type_id,
        config.wallet_team_id,
        config.wallet_organization or "AdmitOne",
        certificate,
        key,
        wwdr,
    )


def _icon(size: int) -> bytes:
    """A plain ticket icon (Apple requires one)."""
    image = Image.new("RGB", (size, size), (29, 78, 216))
    draw = ImageDraw.Draw(image)
    inset = size // 5
    draw.rectangle(
        (inset, inset, size - inset, size - inset),
        outline=(255, 255, 255),
        width=max(1, size // 12),
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pass_json(ticket: PrintableTicket, signer: AppleSigner, language: str) -> dict[str, Any]:
    words = LABELS[language]
    secondary: list[dict[str, str]] = []
    if ticket.section is not None:
        secondary = [
            {"key": "section", "label": words["section"], "value": ticket.section},
            {"key": "row", "label": words["row"], "value": ticket.row or ""},
            {"key": "seat", "label": words["seat"], "value": str(ticket.number or "")},
        ]
    else:
        secondary = [{"key": "admission", "label": words["type"], "value": words["general"]}]
    auxiliary = [{"key": "type", "label": words["type"], "value": ticket.type_name}]
    if ticket.holder_name:
        auxiliary.append({"key": "holder", "label": words["holder"], "value": ticket.holder_name})
    document: dict[str, Any] = {
        "formatVersion": 1,
        "passTypeIdentifier": signer.pass_type_id,
        "teamIdentifier": signer.team_id,
        "serialNumber": ticket.ticket_id,
        "organizationName": signer.organization,
        "description": ticket.event_name,
        "eventTicket": {
            "primaryFields": [{"key": "event", "label": "", "value": ticket.event_name}],
            "secondaryFields": secondary,
            "auxiliaryFields": auxiliary,
            "backFields": [
                {"key": "venue", "label": "", "value": ticket.venue_name},
                {"key": "terms", "label": "", "value": words["terms"]},
            ],
        },
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": ticket.code,
                "messageEncoding": "iso-8859-1",
                "altText": ticket.ticket_id,
            }
        ],
    }
    if ticket.starts_at is not None:
        document["relevantDate"] = ticket.starts_at.isoformat()
    if ticket.latitude is not None and ticket.longitude is not None:
        document["locations"] = [
            {
                "latitude": ticket.latitude,
                "longitude": ticket.longitude,
                "relevantText": ticket.event_name,
            }
        ]
    return document


def pkpass(ticket: PrintableTicket, signer: AppleSigner, language: str = "en") -> bytes:
    files = {
        "pass.json": json.dumps(pass_json(ticket, signer, language), ensure_ascii=False).encode(),
        "icon.png": _icon(29),
        "icon@2x.png": _icon(58),
        "logo.png": _icon(50),
    }
    manifest = json.dumps(
        {name: hashlib.sha1(data).hexdigest() for name, data in files.items()},
        sort_keys=True,
    ).encode()
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(signer.certificate, signer.key, hashes.SHA256())
        .add_certificate(signer.wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", manifest)
        archive.writestr("signature", signature)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class GoogleSigner:
    issuer_id: str
    client_email: str
    private_key: str


def google_configured(config: ServerConfig) -> bool:
    return bool(config.google_wallet_issuer_id)


def google_signer(config: ServerConfig) -> GoogleSigner:
    if not config.google_wallet_issuer_id or not config.google_wallet_credentials:
        raise WalletNotSetUp(
            "Google Wallet is not set up: set google_wallet_issuer_id and "
            "google_wallet_credentials (the service account's JSON key file)"
        )
    try:
        account = json.loads(Path(config.google_wallet_credentials).read_text())
        return GoogleSigner(
            config.google_wallet_issuer_id, account["client_email"], account["private_key"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WalletNotSetUp(
            "Google Wallet: google_wallet_credentials is not a readable service account "
            f"JSON key with client_email and private_key: {exc}"
        ) from exc


def google_save_link(ticket: PrintableTicket, signer: GoogleSigner, now: datetime) -> str:
    language = "en"
    class_id = f"{signer.issuer_id}.event-{ticket.event_id}"
    ticket_class: dict[str, Any] = {
        "id": class_id,
        "issuerName": "AdmitOne",
        "eventName": {"defaultValue": {"language": language, "value": ticket.event_name}},
        "reviewStatus": "UNDER_REVIEW",
    }
    if ticket.venue_name:
        ticket_class["venue"] = {
            "name": {"defaultValue": {"language": language, "value": ticket.venue_name}},
            "address": {"defaultValue": {"language": language, "value": ticket.venue_address}},
        }
    if ticket.starts_at is not None:
        ticket_class["dateTime"] = {"start": ticket.starts_at.isoformat()}
    ticket_object: dict[str, Any] = {
        "id": f"{signer.issuer_id}.{ticket.ticket_id}",
        "classId": class_id,
        "state": "ACTIVE",
        "ticketHolderName": ticket.holder_name,
        "ticketNumber": ticket.ticket_id,
        "barcode": {"type": "QR_CODE", "value": ticket.code, "alternateText": ticket.ticket_id},
    }
    if ticket.section is not None:
        ticket_object["seatInfo"] = {
            "section": {"defaultValue": {"language": language, "value": ticket.section}},
            "row": {"defaultValue": {"language": language, "value": ticket.row or ""}},
            "seat": {"defaultValue": {"language": language, "value": str(ticket.number)}},
        }
    claims = {
        "iss": signer.client_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(now.timestamp()),
        "origins": [],
        "payload": {"eventTicketClasses": [ticket_class], "eventTicketObjects": [ticket_object]},
    }
    token = jwt.encode(claims, signer.private_key, algorithm="RS256")
    return GOOGLE_SAVE + token
