"""HTML to PDF with WeasyPrint. A module of its own because WeasyPrint is slow to import: only
the PDF export loads it (matching/eksport.py, `pdf_modul`)."""

from django.conf import settings
from weasyprint import HTML


def dokument(html: str):
    """The laid-out document (its `pages` can be counted and read, as the tests do)."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def pdf_bytes(html: str) -> bytes:
    return dokument(html).write_pdf()
