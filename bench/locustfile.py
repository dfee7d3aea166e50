"""Mixed traffic for the load test (bench/load.py starts gunicorn and runs this file; PERFORMANCE.md).

The plan (which pages, and the session cookies of a logged-in koordinator and brobygger) comes from
the JSON file in LOAD_PLAN, written by bench/load.py. Each request carries the header a TLS proxy
would add, as gunicorn runs with the production settings behind one. Requests are named by page,
so Locust's statistics are per page, not per URL.
"""

import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)

HEADERS = {"X-Forwarded-Proto": "https"}


class Role(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)  # a person reads a page before the next click
    role = ""

    def on_start(self):
        cookie = PLAN["cookies"].get(self.role)
        if cookie:
            self.client.cookies.set("sessionid", cookie)

    @task
    def a_page(self):
        name, url = random.choice(PLAN["pages"][self.role])
        with self.client.get(url, headers=HEADERS, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class Koordinator(Role):
    role = "koordinator"
    weight = 2


class Brobygger(Role):
    role = "brobygger"
    weight = 3


class Public(Role):
    role = "public"
    weight = 5
