"""
The editors' steps, timed on the demo newsroom (issue 14, point 8).

Server time of each step through Django's test client (no network, no
browser): the median of several runs in wall-clock time and in this
process's CPU time (steadier on a shared machine), and its query count.
Publish now, Schedule and saving the form include the change page they lead
back to, as the editor waits for both::

    DATABASE_URL=sqlite:////tmp/steps.sqlite3 MEDIA_ROOT=/tmp/steps-media \\
        python manage.py migrate && python manage.py seed_demo
    DATABASE_URL=sqlite:////tmp/steps.sqlite3 MEDIA_ROOT=/tmp/steps-media \\
        python -m bench.admin_steps [--runs 7] [--profile STEP]

It writes to the database it is given (drafts it publishes and schedules, a
save of the reference report): point it at a scratch copy. ``DEBUG`` comes
from the environment as for the site; ``--profile STEP`` prints where one
step's time goes (cProfile, cumulative).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time
from datetime import timedelta
from html.parser import HTMLParser

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import services  # noqa: E402
from articles.models import Article  # noqa: E402

REFERENCE = "UK Considers Security Treaty with Japan as “Quasi-Ally”"


def _draft(user) -> Article:
    """A fresh draft like the reference report, to press a button on."""
    reference = Article.objects.get(headline=REFERENCE)
    return services.article_create(
        user=user,
        fields={
            "headline": f"Draft {time.monotonic_ns()}",
            "dek": reference.dek,
            "body": reference.body,
            "section": reference.section,
        },
        bylines=[b.author for b in reference.bylines.all()],
        tags=list(reference.tags.all()),
    )


class FormFields(HTMLParser):
    """The fields of the page's main form, with the values a browser would send."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            if kind not in ("file", "submit", "button"):
                self.data.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(tuple(self._textarea))
            self._textarea = None


def change_form_data(client, url) -> dict:
    """The change form as a browser would post it, unchanged, with "Save and
    continue editing"."""
    page = FormFields("article_form")
    page.feed(client.get(url, secure=True).content.decode())
    data = {}
    for name, value in page.data:
        data.setdefault(name, []).append(value)
    for name in [n for n in data if n.endswith("-TOTAL_FORMS")]:
        # Leave the empty extra rows out, as an editor who added nothing.
        data[name] = data[name.replace("TOTAL", "INITIAL")]
    data["_continue"] = ["Save and continue editing"]
    return data


def steps(client, user):
    """Each step as (name, prepare) where prepare() returns a request to time."""
    reference = Article.objects.get(headline=REFERENCE)
    change_url = reverse("admin:articles_article_change", args=[reference.pk])

    def open_add():
        return "get", reverse("admin:articles_article_add"), None

    def open_change():
        return "get", change_url, None

    def publish():
        draft = _draft(user)
        url = reverse("admin:articles_article_transition", args=[draft.pk, "publish"])
        return "post", url, {"version": draft.version}

    def schedule():
        draft = _draft(user)
        url = reverse("admin:articles_article_transition", args=[draft.pk, "schedule"])
        when = timezone.localtime() + timedelta(days=2)
        return (
            "post",
            url,
            {
                "version": draft.version,
                "publish_at_0": when.strftime("%d/%m/%Y"),
                "publish_at_1": when.strftime("%H:%M:%S"),
            },
        )

    def save_change():
        return "post", change_url, change_form_data(client, change_url)

    def open_desk():
        return "get", reverse("admin:index"), None

    return {
        "add page": open_add,
        "change page": open_change,
        "publish now": publish,
        "schedule": schedule,
        "save change form": save_change,
        "desk (admin index)": open_desk,
    }


def run_once(client, prepare, profile=None):
    method, url, data = prepare()
    with CaptureQueriesContext(connection) as queries:
        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        if method == "post":
            # The editor waits for the change page the button leads back to.
            response = client.post(url, data, follow=True, secure=True)
        else:
            response = client.get(url, secure=True)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if profile is not None:
            profile.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    assert response.status_code == 200, (url, response.status_code)
    if method == "post" and not response.redirect_chain:
        raise AssertionError(f"{url} did not save: the form came back")
    return elapsed, cpu, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", help="a step's name, to print its profile")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    user = get_user_model().objects.get(username="admin")
    client = Client()
    client.force_login(user)
    if not settings.DEBUG:
        # Production serves hashed names from collectstatic's manifest; the
        # bench needs no collectstatic run for the same server work.
        plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    print(f"DEBUG={settings.DEBUG} database={connection.vendor} runs={args.runs}")
    print(f"{'step':<22} {'wall ms':>8} {'cpu ms':>7} {'queries':>8}")
    for name, prepare in steps(client, user).items():
        if args.profile and args.profile != name:
            continue
        run_once(client, prepare)  # warm: imports, templates, caches
        profile = cProfile.Profile() if args.profile else None
        timings, cpus, counts = [], [], []
        for _ in range(args.runs):
            elapsed, cpu, count = run_once(client, prepare, profile)
            timings.append(elapsed)
            cpus.append(cpu)
            counts.append(count)
        wall, cpu = statistics.median(timings), statistics.median(cpus)
        print(f"{name:<22} {wall * 1000:>8.0f} {cpu * 1000:>7.0f} {max(counts):>8}")
        if profile is not None:
            order = os.environ.get("BENCH_SORT", "cumulative")
            only = os.environ.get("BENCH_ONLY", "")  # a path regex, e.g. articles/
            pstats.Stats(profile).sort_stats(order).print_stats(only, 45)


if __name__ == "__main__":
    main()
