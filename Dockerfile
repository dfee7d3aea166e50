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

RUN groupadd --system --gid 10001 brobygning \
    && useradd --system --uid 10001 --gid brobygning --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin brobygning

# Install the project from pyproject.toml before the source is copied, so the dependency layer
# is rebuilt only when pyproject.toml (or README.md, its readme) changes. With no packages in the
# build context yet, `pip install .` installs every dependency plus an empty brobygning dist.
# The code then runs from /app (WORKDIR, PYTHONPATH), where settings find templates/ and static/.
COPY pyproject.toml README.md ./
RUN pip install .

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
CMD ["gunicorn", "brobygning.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
