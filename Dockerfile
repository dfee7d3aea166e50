# Production image for Brobygning: gunicorn serving brobygning.wsgi on port 8000.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DEBUG=false \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# WeasyPrint (the funder report PDF and the borger's art. 15 letter) renders with Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 brobygning \
    && useradd --system --uid 10001 --gid brobygning --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin brobygning

# Install the dependencies from uv.lock before the source is copied, so the dependency layer is
# rebuilt only when pyproject.toml or uv.lock changes. uv (the version the Makefile pins) turns
# the lock into a requirements file with hashes, without the dev extra and without the project
# itself; pip installs exactly that, and uv is removed again. The code runs from /app (WORKDIR,
# PYTHONPATH), where settings find templates/ and static/.
ARG UV_VERSION=0.13.9
COPY pyproject.toml uv.lock ./
RUN pip install "uv==${UV_VERSION}" \
    && uv export --frozen --no-dev --no-emit-project --format requirements-txt --quiet \
        --output-file /tmp/requirements.txt \
    && pip install --no-deps --require-hashes -r /tmp/requirements.txt \
    && pip uninstall --yes uv \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected into the image (served by WhiteNoise). The key only exists for this
# one command and is not kept in the image. var/ is the only directory the app may write to.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput \
    && rm -rf var \
    && mkdir var \
    && chown brobygning:brobygning var

USER brobygning

EXPOSE 8000

# Workers: gunicorn reads WEB_CONCURRENCY (default 1).
CMD ["gunicorn", "brobygning.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
