"""System checks for sending: the channel timeouts against the outbox lease, and (with --deploy)
channels that would only pretend to send.

- paamindelser.E001 / E002: `EMAIL_TIMEOUT` / `SMS_TIMEOUT` unset, or not below the lease
  (`PAAMINDELSE_SENDING_TIMEOUT`): a send could outlast its own lease and go out twice.
- paamindelser.W001 / W002: a timeout is below the lease but without the margin for the blocking
  operations of one send (`OPERATIONS_PER_SEND` × timeout must fit in the lease).
- paamindelser.W010 / W011 (deploy): with DEBUG off, e-mail goes to a backend that keeps it in the
  building (console, locmem, file, dummy) or SMS to the console/locmem backend. Rows would be
  marked sent although nothing left.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

# An SMTP send is up to ~8 blocking round trips (connect, EHLO, STARTTLS, EHLO, AUTH, MAIL/RCPT,
# DATA, QUIT), each bounded by EMAIL_TIMEOUT; the HTTP gateway fewer. The lease must hold them all.
OPERATIONS_PER_SEND = 8

EMAIL_BACKENDS_THAT_DO_NOT_SEND = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
SMS_BACKENDS_THAT_DO_NOT_SEND = {
    "brobygning.channels.ConsoleSmsBackend",
    "brobygning.channels.LocmemSmsBackend",
}


def _timeout_messages(name: str, value, lease: int, error_id: str, warning_id: str) -> list[checks.CheckMessage]:
    if not value or value <= 0 or value >= lease:
        return [checks.Error(
            f"{name} is {value!r}; it must be set and well below PAAMINDELSE_SENDING_TIMEOUT ({lease} s), "
            "or a slow relay can outlast the outbox lease and a påmindelse can go out twice.",
            hint=f"Set {name} to e.g. 10-20 seconds.", id=error_id)]
    if value * OPERATIONS_PER_SEND > lease:
        return [checks.Warning(
            f"{name} ({value} s) × {OPERATIONS_PER_SEND} blocking operations per send exceeds "
            f"PAAMINDELSE_SENDING_TIMEOUT ({lease} s).",
            hint=f"Lower {name} or raise PAAMINDELSE_SENDING_TIMEOUT.", id=warning_id)]
    return []


@checks.register("paamindelser")
def timeouts_inside_the_lease(app_configs=None, **kwargs):
    lease = settings.PAAMINDELSE_SENDING_TIMEOUT
    return (_timeout_messages("EMAIL_TIMEOUT", getattr(settings, "EMAIL_TIMEOUT", None), lease,
                              "paamindelser.E001", "paamindelser.W001")
            + _timeout_messages("SMS_TIMEOUT", getattr(settings, "SMS_TIMEOUT", None), lease,
                                "paamindelser.E002", "paamindelser.W002"))


def sms_backend_path() -> str:
    """The SMS backend `brobygning.channels.get_sms_backend` would use, as a dotted path."""
    if settings.SMS_BACKEND:
        return settings.SMS_BACKEND
    return "brobygning.channels.HttpSmsBackend" if settings.SMS_URL else "brobygning.channels.ConsoleSmsBackend"


@checks.register("paamindelser", deploy=True)
def channels_really_send(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    messages = []
    if settings.EMAIL_BACKEND in EMAIL_BACKENDS_THAT_DO_NOT_SEND:
        messages.append(checks.Warning(
            f"E-mail goes to {settings.EMAIL_BACKEND} with DEBUG off: påmindelser and invitations are "
            "marked sent although nothing leaves the server.",
            hint="Set EMAIL_URL to your SMTP relay, e.g. smtp+tls://user:password@smtp.example.dk:587.",
            id="paamindelser.W010"))
    if sms_backend_path() in SMS_BACKENDS_THAT_DO_NOT_SEND:
        messages.append(checks.Warning(
            "SMS goes to the console with DEBUG off: SMS påmindelser are marked sent although nothing "
            "leaves the server.",
            hint="Set SMS_URL (and SMS_TOKEN) to your SMS gateway, or SMS_BACKEND to a backend class.",
            id="paamindelser.W011"))
    return messages
