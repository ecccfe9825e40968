"""
Each process's copy of the page cache's reads stays Redis's (caching.mirror).

gunicorn with one sync worker (process A) on the demo newsroom, the page
cache in a Redis of the test's own; a moderator's and an editor's
``manage.py shell`` (process B) make the changes. The copy's own lifetime is
set to a minute, so that only Redis's invalidations can make A see a change:

- A answers repeated hits of a page without asking Redis (its MGETs stand
  still), which is what the copy is for;
- after B approves a comment, A's next answer shows it; after B withdraws a
  piece, A's next answer is 410;
- Redis restarted while B takes a comment out of view (its purge cannot
  reach Redis): A's next answer is the new page, not its copy.
"""

import pytest
import redis

from tests.faults.services import PrivateRedis
from tests.stack.embedded import Site, shell, shown_count

pytestmark = pytest.mark.stack

HOLD_ONE = """
from django.contrib.auth import get_user_model
from comments.models import Comment
from comments.services import comment_set_status

moderator = get_user_model().objects.get(username="moderator")
comment = Comment.objects.filter(article_id=ID, status="approved").latest("id")
comment_set_status(comment=comment, status="pending", actor=moderator)
print("held")
"""


@pytest.fixture
def private_redis():
    """A Redis of this test's own: it is stopped and started mid-test."""
    server = PrivateRedis()
    server.start()
    yield server
    server.remove()


def mgets(server: PrivateRedis) -> int:
    stats = redis.Redis(port=server.port).info("commandstats")
    return stats.get("cmdstat_mget", {}).get("calls", 0)


def read(site: Site, path: str):
    answer, html = site.reader().read_page("page", path)
    return answer, html


def test_a_change_in_another_process_ends_the_copy_at_once(template, private_redis):
    site = Site(template, workers=1, settings="newsroom.settings")
    site.env.update(REDIS_URL=private_redis.url, REDIS_MIRROR_SECONDS="60")
    article, other = site.facts["article_url"], site.facts["other_url"]
    with site:
        html = read(site, article)[1]
        before = shown_count(html)
        assert read(site, other)[0].status == 200
        # Stored, then kept: thirty hits, and Redis was not asked once.
        assert read(site, article)[0].cache == "hit"
        asked = mgets(private_redis)
        for _ in range(30):
            answer, html = read(site, article)
            assert answer.cache == "hit"
            assert shown_count(html) == before
        assert mgets(private_redis) == asked

        # B: a moderator approves the held comment. A's next answer shows it.
        site.approve_pending_comment()
        assert shown_count(read(site, article)[1]) == before + 1
        # B: an editor withdraws the other piece. A's next answer is 410.
        read(site, other)
        site.withdraw_other_piece()
        assert read(site, other)[0].status == 410

        # A's copy is warm again; B changes the page while Redis restarts
        # (its purge finds no Redis). A must not answer from its copy.
        for _ in range(3):
            answer, html = read(site, article)
        assert (answer.cache, shown_count(html)) == ("hit", before + 1)
        private_redis.stop()
        code = HOLD_ONE.replace("ID", str(site.facts["article_id"]))
        assert shell(site.env, code) == "held"
        private_redis.start()
        assert shown_count(read(site, article)[1]) == before
        assert site.server.process.poll() is None, site.server.log_tail()
    assert len(site.pids_serving(article)) == 1
