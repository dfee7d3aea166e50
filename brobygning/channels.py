"""Delivery channels for påmindelser: e-mail through Django's mail backends, SMS through a small
backend interface.

SMS backends implement `send(to, message)` and raise on failure. Which one is used:

- `settings.SMS_BACKEND` (a dotted path) when set;
- otherwise the HTTP gateway when `SMS_URL` is set;
- otherwise the console backend, which only logs the masked number and the message length.

Nothing here ever logs a message body: app logs must not hold what was said to whom.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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


# --- E-mail --------------------------------------------------------------------------------------


def send_email(message: Message) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers=message.headers or None,
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
    """Send one SMS. Raise `DeliveryError` (or any exception) when it was not accepted."""

    def send(self, to: str, message: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """The default: logs that an SMS would be sent, with a masked number and the length only."""

    def send(self, to: str, message: str) -> None:
        logger.info("SMS to %s: %d chars", mask_number(to), len(message))


class LocmemSmsBackend(SmsBackend):
    """Keeps messages in `LocmemSmsBackend.outbox` (for tests), like Django's locmem mail backend."""

    outbox: list[tuple[str, str]] = []
    _lock = threading.Lock()

    def send(self, to: str, message: str) -> None:
        with self._lock:
            LocmemSmsBackend.outbox.append((to, message))


class HttpSmsBackend(SmsBackend):
    """POSTs JSON `{"to": ..., "message": ...}` with a Bearer token to `SMS_URL`. Non-2xx raises."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.url = url if url is not None else settings.SMS_URL
        self.token = token if token is not None else settings.SMS_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_TIMEOUT
        if not self.url.startswith(("http://", "https://")):
            raise ValueError("SMS_URL must be an http:// or https:// URL")

    def send(self, to: str, message: str) -> None:
        body = json.dumps({"to": to, "message": message}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
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
    get_sms_backend().send(message.to, message.text)


def deliver(message: Message) -> None:
    """Send `message` on its channel; raise when it was not delivered."""
    if message.kanal == "sms":
        send_sms(message)
    elif message.kanal == "email":
        send_email(message)
    else:
        raise DeliveryError(f"Ukendt kanal: {message.kanal}")


def organizer_address() -> tuple[str, str]:
    """(name, address) of DEFAULT_FROM_EMAIL, for calendar invitations without a centre address."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name, address


__all__ = [
    "Attachment", "ConsoleSmsBackend", "DeliveryError", "HttpSmsBackend", "LocmemSmsBackend", "Message",
    "SmsBackend", "deliver", "get_sms_backend", "mask_number", "organizer_address",
    "send_email", "send_sms",
]
