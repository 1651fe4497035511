"""Order confirmation mail: what it says, and handing it to an SMTP server.

A guest reads it on a phone in a queue: the text says which tickets are attached and
where each one's page is (its code, full screen), plainly, in English or Indonesian,
as text and as HTML, with the printable PDF attached.  A ticket refunded between the
order and the mail is named as no longer valid and left out of the PDF.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from html import escape

from sync.config import ServerConfig
from sync.server.delivery.pdf import PrintableTicket, local_time

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your tickets for {event}",
        "hello": "Hello {name},",
        "intro": "Here are your tickets for {event}, order #{order}. The PDF attached "
        "has a page for each ticket; print it or show it on your phone at the entrance.",
        "intro_transfer": "A ticket for {event} has been passed on to you. The PDF "
        "attached is your ticket; print it or show it on your phone at the entrance.",
        "subject_transfer": "A ticket for {event} for you",
        "page": "Your ticket on your phone (full screen, for the scanner):",
        "seat": "section {section}, row {row}, seat {number}",
        "general": "general admission",
        "void": "No longer valid (refunded or transferred): {ticket}",
        "when": "When: {when}",
        "where": "Where: {where}",
        "bye": "See you there.",
    },
    "id": {
        "subject": "Tiket Anda untuk {event}",
        "hello": "Halo {name},",
        "intro": "Berikut tiket Anda untuk {event}, pesanan #{order}. PDF terlampir "
        "berisi satu halaman per tiket; cetak atau tunjukkan di ponsel di pintu masuk.",
        "intro_transfer": "Sebuah tiket untuk {event} telah dialihkan kepada Anda. PDF "
        "terlampir adalah tiket Anda; cetak atau tunjukkan di ponsel di pintu masuk.",
        "subject_transfer": "Tiket {event} untuk Anda",
        "page": "Tiket Anda di ponsel (layar penuh, untuk pemindai):",
        "seat": "bagian {section}, baris {row}, kursi {number}",
        "general": "tanpa nomor kursi",
        "void": "Tidak berlaku lagi (dikembalikan atau dialihkan): {ticket}",
        "when": "Waktu: {when}",
        "where": "Tempat: {where}",
        "bye": "Sampai jumpa di sana.",
    },
}


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What one order confirmation says, gathered by the outbox service."""

    order_id: int
    buyer_name: str
    recipient: str
    language: str
    event_name: str
    live: Sequence[PrintableTicket]
    void: Sequence[str]  # ticket ids refunded or replaced since the order
    links: dict[str, str]  # ticket id -> its page, when the server has a public URL
    pdf: bytes | None
    message_id: str
    transfer: bool = False
    """A single ticket given to this person, not a buyer's order."""


class MailRefused(Exception):
    """The mail server refused this mail for good (e.g. the address does not exist):
    retrying will not help."""


class MailUnavailable(Exception):
    """The mail server could not be reached or deferred the mail: try again later."""


def _seat(ticket: PrintableTicket, words: dict[str, str]) -> str:
    if ticket.section is None:
        return words["general"]
    return words["seat"].format(section=ticket.section, row=ticket.row, number=ticket.number)


def notice_message(
    subject: str, body: str, name: str, recipient: str, sender: str, message_id: str
) -> EmailMessage:
    """A plain-text notice: payment instructions, a waitlist offer."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = formataddr((name, recipient))
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def confirmation_message(confirmation: Confirmation, sender: str) -> EmailMessage:
    words = WORDS[confirmation.language]
    first = confirmation.live[0] if confirmation.live else None
    lines = [
        words["hello"].format(name=confirmation.buyer_name),
        "",
        _intro(confirmation, words),
    ]
    if first is not None and first.starts_at is not None:
        lines.append(
            words["when"].format(
                when=local_time(first.starts_at, first.timezone, confirmation.language)
            )
        )
    if first is not None and first.venue_name:
        where = ", ".join(p for p in (first.venue_name, first.venue_address) if p)
        lines.append(words["where"].format(where=where))
    lines.append("")
    for ticket in confirmation.live:
        holder = f" ({ticket.holder_name})" if ticket.holder_name else ""
        lines.append(f"- {ticket.type_name}, {_seat(ticket, words)}{holder}: {ticket.ticket_id}")
        if ticket.ticket_id in confirmation.links:
            lines.append(f"  {words['page']} {confirmation.links[ticket.ticket_id]}")
    for ticket_id in confirmation.void:
        lines.append("- " + words["void"].format(ticket=ticket_id))
    lines += ["", words["bye"]]
    text = "\n".join(lines) + "\n"

    message = EmailMessage()
    subject = words["subject_transfer" if confirmation.transfer else "subject"]
    message["Subject"] = subject.format(event=confirmation.event_name)
    message["From"] = sender
    message["To"] = formataddr((confirmation.buyer_name, confirmation.recipient))
    message["Message-ID"] = confirmation.message_id
    message.set_content(text)
    message.add_alternative(_html(confirmation, words), subtype="html")
    if confirmation.pdf is not None:
        message.add_attachment(
            confirmation.pdf,
            maintype="application",
            subtype="pdf",
            filename=f"tickets-order-{confirmation.order_id}.pdf",
        )
    return message


def _intro(confirmation: Confirmation, words: dict[str, str]) -> str:
    key = "intro_transfer" if confirmation.transfer else "intro"
    return words[key].format(event=confirmation.event_name, order=confirmation.order_id)


def _html(confirmation: Confirmation, words: dict[str, str]) -> str:
    items = []
    for ticket in confirmation.live:
        holder = f" ({escape(ticket.holder_name)})" if ticket.holder_name else ""
        link = confirmation.links.get(ticket.ticket_id)
        page = f'<br><a href="{escape(link)}">{escape(words["page"])}</a>' if link else ""
        items.append(
            f"<li><strong>{escape(ticket.type_name)}</strong>, "
            f"{escape(_seat(ticket, words))}{holder}: <code>{ticket.ticket_id}</code>{page}</li>"
        )
    for ticket_id in confirmation.void:
        items.append(f"<li><s>{escape(words['void'].format(ticket=ticket_id))}</s></li>")
    intro = _intro(confirmation, words)
    return (
        '<!doctype html><html lang="{lang}"><body style="font-family:sans-serif">'
        "<p>{hello}</p><p>{intro}</p><ul>{items}</ul><p>{bye}</p></body></html>"
    ).format(
        lang=confirmation.language,
        hello=escape(words["hello"].format(name=confirmation.buyer_name)),
        intro=escape(intro),
        items="".join(items),
        bye=escape(words["bye"]),
    )


def new_message_id(config: ServerConfig) -> str:
    domain = config.mail_sender.rpartition("@")[2].strip("> ") or "admitone.invalid"
    return make_msgid(idstring="order", domain=domain)


def send(message: EmailMessage, config: ServerConfig) -> None:
    """Hand ``message`` to the configured SMTP server, or raise :class:`MailRefused`
    (a permanent refusal) or :class:`MailUnavailable` (try again later)."""
    context = ssl.create_default_context()
    if config.mail_ca_file:
        context.load_verify_locations(cafile=config.mail_ca_file)
    try:
        if config.mail_security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.mail_host, config.mail_port, timeout=30, context=context
            )
        else:
            client = smtplib.SMTP(config.mail_host, config.mail_port, timeout=30)
        with client:
            if config.mail_security == "starttls":
                client.starttls(context=context)
            if config.mail_username:
                client.login(config.mail_username, config.mail_password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace')}"
            for addr, (code, msg) in exc.recipients.items()
        )
        if all(400 <= code < 500 for code in codes):
            raise MailUnavailable(f"the mail server deferred the recipient: {detail}") from exc
        raise MailRefused(f"the mail server refused the address: {detail}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailUnavailable(
            f"the mail server refused the login ({exc.smtp_code}): check mail_username "
            "and mail_password"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        if 500 <= exc.smtp_code < 600:
            raise MailRefused(f"the mail server refused the mail: {exc.smtp_code} {text}") from exc
        raise MailUnavailable(f"the mail server deferred the mail: {exc.smtp_code} {text}") from exc
    except smtplib.SMTPException as exc:
        raise MailUnavailable(
            f"the mail server {config.mail_host}:{config.mail_port} would not take the "
            f"mail: {exc}; check mail_security and the login"
        ) from exc
    except OSError as exc:
        raise MailUnavailable(
            f"cannot reach the mail server {config.mail_host}:{config.mail_port}: {exc}"
        ) from exc


def sender_of(config: ServerConfig) -> str:
    return config.mail_sender or formataddr(("AdmitOne", "tickets@localhost"))
