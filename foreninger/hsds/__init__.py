"""Open Referral HSDS 3.0: a read-only JSON API over the public fællesskaber, and import from HSDS and CSV."""
