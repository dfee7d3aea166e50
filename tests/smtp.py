"""A real SMTP server (aiosmtpd) on localhost for tests about what people receive."""

import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from brobygning.channels import LocmemSmsBackend


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(settings, handler):
    """Runs `handler` as an SMTP server and points Django's SMTP backend at it; SMS go to the
    in-memory backend, emptied before and after."""
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SMS_BACKEND = "brobygning.channels.LocmemSmsBackend"
    LocmemSmsBackend.outbox, LocmemSmsBackend.keys = [], []
    try:
        yield handler
    finally:
        controller.stop()
        LocmemSmsBackend.outbox, LocmemSmsBackend.keys = [], []
