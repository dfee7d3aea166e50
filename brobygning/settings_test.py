"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE): the real settings, plus a few switches.

Only what tests need and production must not have. Tests that are about the production settings
import ``brobygning.settings`` directly.
"""

import tempfile

from brobygning.settings import *  # noqa: F403
from brobygning.settings import STORAGES

# Pages render {% static %} without a collectstatic manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False

# Speed; production hashes with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Celery runs tasks inline, in the test's own transaction. The real-worker tests switch it off
# for their duration (the real_worker fixture in tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True

# Every test closes what it opens: the live server's threads and the real workers keep no connection
# that would hold the test database open when it is dropped.
for _alias in DATABASES.values():  # noqa: F405
    _alias["CONN_MAX_AGE"] = 0

# The flush after a transactional test may empty the access log, which refuses TRUNCATE otherwise
# (brobygning/testdb). A new dict, so the production settings module keeps Django's backend.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES = {**DATABASES, "default": {**DATABASES["default"], "ENGINE": "brobygning.testdb"}}  # noqa: F405

# Uploads from tests (the demo data's shared network tool, issue 14) go to a throwaway folder, never
# the developer's var/media. Tests that look at the files set their own `tmp_path`.
MEDIA_ROOT = tempfile.mkdtemp(prefix="brobygning-test-media-")
