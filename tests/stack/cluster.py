"""
Several app servers as production runs them, on loopback: two gunicorns (each
with deploy/gunicorn.conf.py, on its own port) sharing one private
PostgreSQL and one private Redis, behind HAProxy running deploy/haproxy.cfg.

It is the fault tests' stack (tests/faults/stack.py: the same services, data
and moderation settings) with more servers and a balancer in front. The site's
address (``port``, ``reader()``) is the balancer's. Readers' own addresses
arrive the way a CDN in front would send them: the client names the reader in
X-Forwarded-For, HAProxy appends its own, so ``COMMENTS_PROXY_COUNT`` is 2.
A test that talks to one app server directly sends both entries itself
(``forwarded_for``), so every server finds the same reader.
"""

import json
import os
import signal
import time

from bench.server import Gunicorn, free_port
from tests.faults.stack import BACK_LINK, PROJECT, Stack
from tests.stack.haproxy import HAProxy

SERVERS = 2
WORKERS = 2  # per server: the machine has two cores, shared
BALANCER_ADDRESS = "127.0.0.1"  # what HAProxy appends for every client here


def forwarded_for(reader_ip: str) -> str:
    """X-Forwarded-For as an app server gets it through the CDN and HAProxy."""
    return f"{reader_ip}, {BALANCER_ADDRESS}"


class AppServers(Stack):
    def __init__(self):
        super().__init__()
        self.env.update(
            {
                "STATIC_ROOT": str(self.root / "static"),
                "MEDIA_ROOT": str(self.root / "media"),
                "SITE_URL": f"http://127.0.0.1:{self.port}",
                "COMMENTS_PROXY_COUNT": "2",
                "CACHE_KEY_PREFIX": "newsroom-appservers",
                "GUNICORN_ACCESS_LOG": "",  # none: the figures come from the clients
                "LOG_LEVEL": "WARNING",
            }
        )
        config = PROJECT / "deploy" / "gunicorn.conf.py"
        self.servers = {
            f"app{number}": Gunicorn(
                port=free_port(),
                workers=WORKERS,
                env=self.env,
                log_path=self.root / f"app{number}.log",
                config=config,
            )
            for number in range(1, SERVERS + 1)
        }
        self.balancer = HAProxy(
            port=self.port,
            servers=[(name, server.port) for name, server in self.servers.items()],
            root=self.root,
        )
        self.fixtures: dict = {}

    def serve(self) -> None:
        for server in self.servers.values():
            server.start()
        for server in self.servers.values():
            server.wait_ready("/readyz", timeout=90)
        self.balancer.start()
        self.wait_states(dict.fromkeys(self.servers, "UP"), timeout=30)
        # The fault stack's own gunicorn is the first app server here.
        self.server = self.servers["app1"]
        self._step("staff_and_previews", self._staff_and_previews)
        answer, html = self.reader().read_page(
            "discussion", f"/comments/{self.article_id}/"
        )
        assert answer.status == 200, answer
        self.article_url = BACK_LINK.search(html).group(1)

    def _staff_and_previews(self) -> None:
        """What the tests need that only the services make: a preview link."""
        script = (
            "import json\n"
            "from django.contrib.auth import get_user_model\n"
            "from articles.models import Article\n"
            "from articles.selectors.previews import preview_url\n"
            "from articles.services import preview_link_create\n"
            "editor = get_user_model().objects.get(username='editor')\n"
            "draft = Article.objects.get(slug='draft-carrier-group-returns')\n"
            "link = preview_link_create(article=draft, user=editor)\n"
            "print(json.dumps({'preview_url': preview_url(link),"
            " 'draft_title': draft.headline}))\n"
        )
        output = self.manage("shell", "-c", script, timeout=120)
        self.fixtures.update(json.loads(output.strip().splitlines()[-1]))

    def wait_states(self, wanted: dict[str, str], *, timeout: float) -> float:
        """Poll the balancer until the servers are in ``wanted``; the seconds."""
        started = time.monotonic()
        deadline = started + timeout
        while True:
            states = self.balancer.states()
            if all(states.get(name) == state for name, state in wanted.items()):
                return time.monotonic() - started
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"balancer states {states}, wanted {wanted} within {timeout} s\n"
                    f"{self.balancer.log_tail()}"
                )
            time.sleep(0.02)

    def kill(self, name: str) -> None:
        """SIGKILL one app server, master and workers at once: a machine lost."""
        os.killpg(self.servers[name].process.pid, signal.SIGKILL)
        self.servers[name].process.wait(timeout=10)

    def stop(self) -> None:
        try:
            self.balancer.stop()
        finally:
            try:
                for server in self.servers.values():
                    server.stop()
            finally:
                super().stop()
