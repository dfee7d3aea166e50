"""Delivery channels for påmindelser: e-mail through Django's mail backends, SMS through a small
backend interface.

SMS backends implement `send(to, message, *, key="")` and raise on failure. Which one is used:

- `settings.SMS_BACKEND` (a dotted path) when set;
- otherwise the HTTP gateway when `SMS_URL` is set;
- otherwise the console backend, which only logs the masked number and the message length.

Idempotency: `key` (`Message.idempotency_key`) is the same for every attempt at one arming of an
outbox row and new when the row is armed again (a moved meeting), so a gateway can drop a second
copy of a message it has already accepted (a worker that died before recording the send, a timeout
after the gateway took it). The HTTP backend sends it as the `Idempotency-Key` request header; it
is opaque, ASCII, at most 80 characters (`brobygning-paamindelse-<row id>-<32 hex digits>`), and
holds no personal data. Messages sent outside the outbox have no key (empty: no header).

Timeouts: e-mail uses `EMAIL_TIMEOUT`, the HTTP gateway `SMS_TIMEOUT` (seconds, per blocking
operation). Both must stay well inside the outbox lease `PAAMINDELSE_SENDING_TIMEOUT`; the system
check in `brobygning.checks` says so when they do not.

Nothing here ever logs a message body: app logs must not hold what was said to whom.
"""

from __future__ import annotations

import json
import logging
import random
import smtplib
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel could not deliver a message. The text must not hold the message body."""


@dataclass
class Attachment:
    filename: str
    content: str
    mimetype: str = "text/calendar"
    params: dict[str, str] = field(default_factory=dict)  # extra Content-Type parameters, e.g. method=REQUEST

    def as_mime(self) -> MIMEBase:
        maintype, subtype = self.mimetype.split("/", 1)
        if maintype != "text":
            raise ValueError("Only text attachments are supported")
        part = MIMEText(self.content, subtype, "utf-8")
        for key, value in self.params.items():
            part.set_param(key, value)
        part.add_header("Content-Disposition", "attachment", filename=self.filename)
        return part


@dataclass
class Message:
    """One resolved message, ready for a channel. Built by the resolver at send time."""

    kanal: str  # "email" or "sms"
    to: str  # an e-mail address, or a phone number in E.164
    sprog: str
    text: str
    subject: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    reply_to: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    idempotency_key: str = ""  # set by the outbox per row and arming; see the module docstring


# --- E-mail --------------------------------------------------------------------------------------


def message_id(key: str) -> str:
    """The Message-ID of an outbox e-mail: made from its idempotency key, so every copy of one
    arming of a row has the same one and a mail system that drops repeated Message-IDs keeps one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "brobygning.local"
    return f"<{key}@{domain}>"


_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


def _boundary(text: str) -> str:
    """A MIME boundary as the standard library's generator makes one ("=" * 15, a random number,
    "=="), not found in `text`: the parts' payloads. The generator would check its candidate with a
    new regular expression for every multipart, compiled afresh each time (about a tenth of a
    millisecond); a substring test says the same here, since no part's encoding makes a run of
    fifteen "=" (8bit text is sent as is, base64 pads with at most two, quoted-printable writes "=3D")."""
    while True:
        boundary = "=" * 15 + f"{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}" + "=="
        if boundary not in text:
            return boundary


class _OutboxEmail(EmailMultiAlternatives):
    """Django's e-mail with the boundaries of its multiparts chosen before it is serialised
    (`_boundary`); the message is otherwise Django's, unchanged."""

    def message(self):
        msg = super().message()
        parts = list(msg.walk())
        text = "".join(p.get_payload() for p in parts if not p.is_multipart() and isinstance(p.get_payload(), str))
        for part in parts:
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(_boundary(text))
        return msg


def send_email(message: Message, *, connection=None) -> None:
    """Send one e-mail, over `connection` (an open mail backend) when given, else a new one."""
    headers = dict(message.headers)
    if message.idempotency_key:
        headers.setdefault("Message-ID", message_id(message.idempotency_key))
    email = _OutboxEmail(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=headers or None,
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.as_mime())
    sent = email.send(fail_silently=False)
    if sent == 0:
        raise DeliveryError("E-mail-backenden afviste beskeden")


# --- SMS -----------------------------------------------------------------------------------------


def mask_number(number: str) -> str:
    """'+4520123456' -> '+45******56': enough to tell messages apart in a log, not to call anyone."""
    digits = str(number).strip()
    if len(digits) <= 5:
        return "*" * len(digits)
    keep_start = 3 if digits.startswith("+") else 0
    return digits[:keep_start] + "*" * (len(digits) - keep_start - 2) + digits[-2:]


class SmsBackend:
    """Send one SMS. Raise `DeliveryError` (or any exception) when it was not accepted.

    `key` is the idempotency key (module docstring); a backend whose gateway has none ignores it."""

    def send(self, to: str, message: str, *, key: str = "") -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """The default: logs that an SMS would be sent, with a masked number and the length only."""

    def send(self, to: str, message: str, *, key: str = "") -> None:
        logger.info("SMS to %s: %d chars", mask_number(to), len(message))


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in `LocmemSmsBackend.outbox` (for tests), like Django's locmem mail backend;
    the idempotency key of each is in `LocmemSmsBackend.keys`, in the same order."""

    outbox: list[tuple[str, str]] = []
    keys: list[str] = []
    _lock = threading.Lock()

    def send(self, to: str, message: str, *, key: str = "") -> None:
        with self._lock:
            LocmemSmsBackend.outbox.append((to, message))
            LocmemSmsBackend.keys.append(key)


class HttpSmsBackend(SmsBackend):
    """POSTs JSON `{"to": ..., "message": ...}` with a Bearer token to `SMS_URL`, and the
    `Idempotency-Key` header when there is a key. Non-2xx raises."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else settings.SMS_URL
        self.token = token if token is not None else settings.SMS_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_TIMEOUT
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("SMS_URL must be an http:// or https:// URL")

    def send(self, to: str, message: str, *, key: str = "") -> None:
        body = json.dumps({"to": to, "message": message}).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.token}",
        }
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=body, method="POST", headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            # The body is not quoted: a gateway may echo the message back.
            raise DeliveryError(f"SMS-gatewayen svarede HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(f"SMS-gatewayen kunne ikke nås: {reason}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"SMS-gatewayen svarede HTTP {status}")
        logger.info("SMS to %s: %d chars (gateway)", mask_number(to), len(message))


def get_sms_backend() -> SmsBackend:
    if settings.SMS_BACKEND:
        return import_string(settings.SMS_BACKEND)()
    if settings.SMS_URL:
        return HttpSmsBackend()
    return ConsoleSmsBackend()


def send_sms(message: Message) -> None:
    get_sms_backend().send(message.to, message.text, key=message.idempotency_key)


def deliver(message: Message, *, batch: Batch | None = None) -> None:
    """Send `message` on its channel; raise when it was not delivered. With `batch`, e-mail goes
    over the batch's one SMTP connection."""
    if message.kanal == "sms":
        send_sms(message)
    elif message.kanal == "email":
        if batch is None:
            send_email(message)
        else:
            batch.send_email(message)
    else:
        raise DeliveryError(f"Ukendt kanal: {message.kanal}")


class Batch:
    """Sends the e-mails of one batch over one mail connection, opened at the first e-mail and
    closed at the end (`with Batch() as batch:`), instead of a connection, EHLO and QUIT for each
    message. A connection that failed is closed and never used again: the next e-mail opens a new
    one. When a connection that has already carried a message turns out to be closed by the relay
    (`SMTPServerDisconnected`: an idle timeout), the message is tried once more on a new one."""

    def __init__(self):
        self._connection = None
        self._used = False

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self):
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
            self._connection.open()
            self._used = False
        return self._connection

    def send_email(self, message: Message) -> None:
        reused = self._connection is not None and self._used
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            if not reused:
                raise
            self._send(message)

    def _send(self, message: Message) -> None:
        try:
            send_email(message, connection=self._open())
        except Exception:
            self.close()
            raise
        self._used = True

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - the messages went out (or failed) already; nothing to do
                logger.debug("Closing the mail connection failed", exc_info=True)


def organizer_address() -> tuple[str, str]:
    """(name, address) of DEFAULT_FROM_EMAIL, for calendar invitations without a centre address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name, address


__all__ = [
    "Attachment", "Batch", "ConsoleSmsBackend", "DeliveryError", "HttpSmsBackend", "LocmemSmsBackend", "Message",
    "SmsBackend", "deliver", "get_sms_backend", "mask_number", "message_id", "organizer_address",
    "send_email", "send_sms",
]
