"""The PostgreSQL backend of the test suite (brobygning/settings_test.py); never used in production.

It differs from Django's in one place: the flush that empties the database after a transactional
test sets the access log's purge flag first, because the access log refuses TRUNCATE without it
(migration brobygning 0010). Production keeps Django's backend, so a TRUNCATE there is refused.
"""
