"""Order confirmation mail through a real SMTP server on loopback (aiosmtpd): queued
with the order, sent by the server's worker, never lost while the mail server is down,
delivered once, and clear outcomes for a refused address and a ticket refunded before
its mail left.  SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import email
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sync.config import ServerConfig
from sync.server.delivery.links import link_secret, ticket_of_token
from sync.server.services import outbox
from sync.server.state import ServerState
from tests import certificates as certs
from tests.certificates import new_key, write_certificate, write_key
from tests.live_server import free_port
from tests.server.conftest import ServerHandle, start_server
from ui.demo.seed import seed_demo

SENDER = "Tickets <tickets@example.org>"
PUBLIC = "https://tickets.example.org"


@dataclass
class Mailbox:
    """What the SMTP server accepted, and addresses it refuses for good."""

    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 <nobody@example.org>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        with self.arrived:
            self.messages.append(parsed)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.messages) >= count, timeout), (
                f"{len(self.messages)} of {count} mails arrived"
            )
            return list(self.messages)


@dataclass
class MailSetup:
    server: ServerHandle
    state: ServerState
    mailbox: Mailbox
    port: int
    controller: Controller | None = None

    def start_smtp(self, **kwargs: Any) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()

    def wait_attempts(self, order_id: int, at_least: int, timeout: float = 30) -> None:
        paused = threading.Event()
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        while outbox.order_mail(self.state, order_id)[-1].attempts < at_least:
            assert dt.datetime.now() < deadline, f"order {order_id}'s mail was not retried"
            paused.wait(0.05)

    def wait_status(self, order_id: int, status: str, timeout: float = 30) -> outbox.MailLine:
        done = threading.Event()
        deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
        while dt.datetime.now() < deadline:
            lines = outbox.order_mail(self.state, order_id)
            if lines and lines[-1].status == status:
                return lines[-1]
            done.wait(0.05)
        raise AssertionError(f"order {order_id}'s mail: {outbox.order_mail(self.state, order_id)}")


def mail_app(
    database_url: str, tmp_path: Path, port: int, **settings: Any
) -> tuple[ServerHandle, ServerState]:
    values: dict[str, Any] = {
        "keys_dir": str(tmp_path / "keys"),
        "mail_host": "127.0.0.1",
        "mail_port": port,
        "mail_security": "none",
        "mail_sender": SENDER,
        "mail_retry_seconds": 0.2,
        "mail_retry_longest_seconds": 1.0,
        "mail_attempts": 1000,
        "public_url": PUBLIC,
    }
    handle = start_server(ServerConfig(**{**values, **settings}), database_url)
    return handle, handle.app.state.admitone


@pytest.fixture
def mail(database_url: str, tmp_path: Path) -> Iterator[MailSetup]:
    """The server with its mail worker, and an SMTP server not started yet (a test
    starts it when it wants the mail server up)."""
    port = free_port()
    handle, state = mail_app(database_url, tmp_path, port)
    setup = MailSetup(handle, state, Mailbox(), port)
    yield setup
    handle.live.stop()
    if setup.controller is not None:
        setup.controller.stop()


def order(server: ServerHandle, email_address: str, general: int = 2) -> dict[str, Any]:
    with server.admin() as admin:
        demo = seed_demo(admin, general=0)
        created = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": "Rina Kusuma",
                "buyer_email": email_address,
                "items": [{"ticket_type": "GA", "quantity": general, "holder_name": "Rina"}],
            },
        )
        assert created.status_code == 201, created.text
        result: dict[str, Any] = created.json()
        return result


def parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    attachments = list(message.iter_attachments())
    return text.get_content(), html.get_content(), attachments


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "attached.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [page for page in out.split("\f") if page.strip()]


def test_a_mail_queued_while_smtp_is_down_arrives_once_when_it_is_back(
    mail: MailSetup, tmp_path: Path
) -> None:
    placed = order(mail.server, "rina@example.org")
    first = mail.state.config.mail_attempts
    # The mail server is down: the mail waits, with what went wrong, and is retried.
    mail.wait_attempts(placed["id"], 2)
    waiting = outbox.order_mail(mail.state, placed["id"])[-1]
    assert waiting.status == "pending"
    assert first > waiting.attempts >= 2
    assert waiting.last_error is not None
    assert "cannot reach the mail server" in waiting.last_error

    mail.start_smtp()
    sent = mail.wait_status(placed["id"], "sent")
    assert sent.sent_at is not None
    (message,) = mail.mailbox.wait_for(1)
    assert message["To"] == "Rina Kusuma <rina@example.org>"
    assert message["From"] == SENDER
    assert "Your tickets for" in message["Subject"]
    text, html, attachments = parts(message)
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    pdf = attachments[0].get_content()
    assert len(pdf_pages(pdf, tmp_path)) == 2
    secret = link_secret(Path(mail.state.keys_dir))
    for ticket in placed["tickets"]:
        assert ticket["ticket_id"] in text
        link = next(
            line.split()[-1] for line in text.splitlines() if f"/t/{ticket['ticket_id']}" in line
        )
        assert link.startswith(f"{PUBLIC}/t/")
        assert ticket_of_token(secret, link.rsplit("/", 1)[1]) == ticket["ticket_id"]
        assert link in html
    # Another round of the worker sends nothing more: the mail arrived once.
    assert outbox.send_due(mail.state) == 0
    assert len(mail.mailbox.messages) == 1


def test_a_refused_address_fails_with_the_servers_words(mail: MailSetup) -> None:
    mail.start_smtp()
    placed = order(mail.server, "nobody@example.org", general=1)
    failed = mail.wait_status(placed["id"], "failed")
    assert failed.last_error is not None
    assert "refused the address" in failed.last_error
    assert "550" in failed.last_error
    assert mail.mailbox.messages == []
    # The console shows it, and box office can send it again (to a corrected order).
    lines = outbox.order_mail(mail.state, placed["id"])
    assert [line.status for line in lines] == ["failed"]


def test_a_ticket_refunded_before_its_mail_left_is_named_void_and_not_attached(
    mail: MailSetup, tmp_path: Path
) -> None:
    placed = order(mail.server, "rina@example.org", general=2)
    gone = order(mail.server, "ann@example.org", general=1)
    mail.wait_status(placed["id"], "pending")
    with mail.server.admin() as admin:
        refunded = placed["tickets"][0]["ticket_id"]
        for ticket_id in (refunded, gone["tickets"][0]["ticket_id"]):
            response = admin.post(f"/tickets/{ticket_id}/refund", json={"reason": "refunded"})
            assert response.status_code == 200, response.text
    # Two more tries while the mail server is down: whatever the worker had drafted
    # before the refunds has come and gone, so the mail that goes out was drafted after.
    tried = outbox.order_mail(mail.state, placed["id"])[-1].attempts
    mail.wait_attempts(placed["id"], tried + 2)
    mail.start_smtp()
    mail.wait_status(placed["id"], "sent")
    cancelled = mail.wait_status(gone["id"], "cancelled")
    assert cancelled.last_error == "no ticket in the order admits anyone any more"
    (message,) = mail.mailbox.wait_for(1)
    text, _, attachments = parts(message)
    assert f"No longer valid (refunded or transferred): {refunded}" in text
    pages = pdf_pages(attachments[0].get_content(), tmp_path)
    assert len(pages) == 1
    assert refunded not in pages[0]
    assert placed["tickets"][1]["ticket_id"] in pages[0]


def test_a_claimed_mail_whose_worker_died_is_sent_after_its_lease(
    mail: MailSetup,
) -> None:
    """A process killed between claiming a mail and sending it: the lease runs out and
    another worker sends it; a live lease is never taken over."""
    mail.start_smtp()
    placed = order(mail.server, "rina@example.org", general=1)
    mail.wait_status(placed["id"], "sent")
    row_id = outbox.resend(mail.state, placed["id"]).id
    # Simulate the crash: the row is claimed (as the dead worker left it), lease live.
    from sync.server.models import OutboxMail, utcnow

    with mail.state.db.write() as session:
        row = session.get(OutboxMail, row_id)
        assert row is not None
        if row.status == "sent":  # the live worker was quicker: claim a fresh one instead
            row_id = outbox.resend(mail.state, placed["id"]).id
        session.query(OutboxMail).filter(OutboxMail.id == row_id).update(
            {"status": "sending", "lease_until": utcnow() + dt.timedelta(minutes=5)}
        )
    assert row_id not in outbox.claim_due(mail.state)
    with mail.state.db.write() as session:
        session.query(OutboxMail).filter(OutboxMail.id == row_id).update(
            {"lease_until": utcnow() - dt.timedelta(seconds=1)}
        )
    mail.state.mail_wake.set()
    mail.wait_status(placed["id"], "sent")
    assert len(mail.mailbox.wait_for(2)) >= 2


# --- STARTTLS and a login ---------------------------------------------------------------


def certificate(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA, and a certificate for 127.0.0.1 it signed (with its key)."""
    ca_key, key = new_key(), new_key()
    ca = certs.certificate("test mail CA", ca_key, "test mail CA", ca_key, ca=True)
    cert = certs.certificate(
        "127.0.0.1", key, "test mail CA", ca_key, ca=False, server_ip="127.0.0.1"
    )
    return (
        Path(write_certificate(tmp_path / "ca.pem", ca)),
        Path(write_certificate(tmp_path / "mail.pem", cert)),
        Path(write_key(tmp_path / "mail.key", key)),
    )


@pytest.mark.parametrize("security", ["starttls", "tls"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS
def test_tls_and_a_login_from_the_config(database_url: str, tmp_path: Path, security: str) -> None:
    """STARTTLS (port 587) and implicit TLS (port 465) against a certificate only the
    configured CA file vouches for, with the configured login."""
    import ssl

    ca, cert, key = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        ok = (data.login, data.password) == (b"gate", b"s3cret")
        logins.append(data.login.decode())
        return AuthResult(success=ok)

    port = free_port()
    handle, state = mail_app(
        database_url,
        tmp_path,
        port,
        mail_security=security,
        mail_username="gate",
        mail_password="s3cret",
        mail_ca_file=str(ca),
    )
    mailbox = Mailbox()
    tls: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the link is TLS all along.
        else {"ssl_context": context, "auth_require_tls": False}
    )
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        authenticator=authenticate,
        **tls,
    )
    controller.start()
    setup = MailSetup(handle, state, mailbox, port, controller)
    try:
        placed = order(handle, "rina@example.org", general=1)
        setup.wait_status(placed["id"], "sent")
        assert logins == ["gate"]
        assert len(mailbox.wait_for(1)) == 1
    finally:
        handle.live.stop()
        controller.stop()


def test_the_console_shows_each_mail_and_box_office_sends_it_again(mail: MailSetup) -> None:
    from sync.server.services.accounts import Role
    from tests.server.console_client import signed_in

    placed = order(mail.server, "nobody@example.org", general=1)
    mail.start_smtp()
    mail.wait_status(placed["id"], "failed")
    box = signed_in(mail.server, Role.BOX_OFFICE)
    page = box.get(f"/console/orders/{placed['id']}")
    assert page.status_code == 200
    assert "failed" in page.text
    assert "refused the address" in page.text
    # The guest gives the right address; box office fixes the order elsewhere and resends.
    with mail.state.db.write() as session:
        from sync.server.models import Order

        row = session.get(Order, placed["id"])
        assert row is not None
        row.buyer_email = "rina@example.org"
    resent = box.post(f"/console/orders/{placed['id']}/resend", {})
    assert resent.status_code == 303
    mail.wait_status(placed["id"], "sent")
    (message,) = mail.mailbox.wait_for(1)
    assert message["To"] == "Rina Kusuma <rina@example.org>"
    statuses = [line.status for line in outbox.order_mail(mail.state, placed["id"])]
    assert statuses == ["failed", "sent"]
    assert "sent" in box.get(f"/console/orders/{placed['id']}").text


def test_a_mail_that_never_gets_through_fails_after_its_tries(
    database_url: str, tmp_path: Path
) -> None:
    handle, state = mail_app(database_url, tmp_path, free_port(), mail_attempts=3)
    try:
        setup = MailSetup(handle, state, Mailbox(), 0)
        placed = order(handle, "rina@example.org", general=1)
        failed = setup.wait_status(placed["id"], "failed")
        assert failed.attempts == 3
        assert failed.last_error is not None
        assert "cannot reach the mail server" in failed.last_error
    finally:
        handle.live.stop()


def test_an_order_that_fails_queues_no_mail(mail: MailSetup) -> None:
    """The mail is written in the order's own transaction: an order refused half-way
    (its second seat already sold) leaves neither tickets nor a mail behind."""
    from sqlalchemy import func, select

    from sync.server.models import Order, OutboxMail

    def count(model: type[Any]) -> int:
        with mail.state.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    with mail.server.admin() as admin:
        demo = seed_demo(admin, general=0)
        seat_map = admin.get(f"/events/{demo.event_id}/seat-map").json()
        seats = [s for sec in seat_map["sections"] for s in sec["seats"]]
        free = next(s for s in seats if s["status"] == "free")
        sold = next(s for s in seats if s["status"] == "sold")
        orders_before, mails_before = count(Order), count(OutboxMail)
        refused = admin.post(
            "/orders",
            json={
                "event_id": demo.event_id,
                "buyer_name": "Rina",
                "buyer_email": "rina@example.org",
                "items": [
                    {"ticket_type": "VIP", "seat_id": free["id"]},
                    {"ticket_type": "VIP", "seat_id": sold["id"]},
                ],
            },
        )
        assert refused.status_code == 409
    assert (count(Order), count(OutboxMail)) == (orders_before, mails_before)
