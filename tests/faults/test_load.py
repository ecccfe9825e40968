"""1,200 comment posts from concurrent readers: exactly the accepted ones are
stored, each once, and the counts readers see match the rows.

Every reader posts a planned mix, so each answer can be checked against the
rule that should decide it: most posts are new readers' comments (approved),
some repeat the reader's previous comment (409, the duplicate rule), some
come from the address that has just posted (429, the rate limit), some fill
in the robots' hidden field (stored as spam) and some carry two links (held).
"""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.clients import Answer, Reader
from tests.faults.stack import RATE_SECONDS

pytestmark = pytest.mark.faults

CLIENTS = 12
POSTS_PER_CLIENT = 100
TIME_LIMIT = 120  # seconds; the run stops there whatever it has done

# What each planned kind of post must get, and how it is stored.
EXPECTED = {
    "new": (303, "approved"),
    "duplicate": (409, None),
    "same-address": (429, None),
    "honeypot": (303, "spam"),
    "links": (303, "pending"),
}


ORIGINALS = 5  # the first posts of each reader; repeated later as duplicates


def kind_of(number: int) -> str:
    if number % 20 == 19:
        return "duplicate"  # of original number // 20
    if number % 20 == 9:
        return "same-address"  # as post number - 1, a new comment just before
    if number % 50 == 25:
        return "honeypot"
    if number % 50 == 40:
        return "links"
    return "new"


def send(run: str, client: int, reader: Reader, number: int) -> tuple[str, Answer]:
    kind = kind_of(number)
    source = {"duplicate": number // 20, "same-address": number - 1}.get(kind, number)
    email = f"r{client}-{source}-{run}@load.faults.invalid"
    body = f"Comment {source} from reader {client} on the treaty ({run})."
    if kind == "same-address":
        email = f"r{client}-{number}-{run}@load.faults.invalid"
        body = f"Another reader, same address, comment {number} ({run})."
    if kind == "links":
        body += " See https://example.org/a and https://example.org/b"
    answer = reader.post_comment(
        email=email,
        name=f"Reader {client}-{number}",
        body=body,
        ip=f"10.{client}.{source // 250}.{source % 250 + 1}",
        honeypot="http://spam.invalid" if kind == "honeypot" else "",
    )
    return kind, answer


def post_all(run, readers, numbers, deadline) -> list[tuple[str, Answer]]:
    """Every reader posts ``numbers`` in order, all readers at once."""

    def one_reader(pair):
        client, reader = pair
        return [
            send(run, client, reader, number)
            for number in numbers
            if time.monotonic() < deadline
        ]

    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        batches = pool.map(one_reader, enumerate(readers))
        return [item for batch in batches for item in batch]


def test_concurrent_posts_are_stored_exactly_once_and_counted(stack, figures):
    run = secrets.token_hex(3)
    readers = [stack.reader() for _client in range(CLIENTS)]
    for reader in readers:
        assert reader.fetch_token().status == 200
    started = time.monotonic()
    deadline = started + TIME_LIMIT
    results = post_all(run, readers, range(ORIGINALS), deadline)
    # A repeat inside the rate-limit window is refused by the rate limit
    # (429) before the duplicate rule sees it; wait the window out once.
    first_phase_ended = max(a.ended for _kind, a in results)
    time.sleep(max(0.0, first_phase_ended + RATE_SECONDS + 0.2 - time.monotonic()))
    second_phase = time.monotonic()
    results += post_all(run, readers, range(ORIGINALS, POSTS_PER_CLIENT), deadline)
    seconds = (first_phase_ended - started) + (time.monotonic() - second_phase)

    assert len(results) == CLIENTS * POSTS_PER_CLIENT, "the run hit its time limit"
    wrong = [
        (kind, answer.status, answer.email)
        for kind, answer in results
        if answer.status != EXPECTED[kind][0]
    ]
    assert wrong == [], wrong[:10]

    # Exactly the accepted posts are stored: same ids, same readers, no more.
    accepted = {a.comment_id: (kind, a.email) for kind, a in results if a.accepted}
    assert None not in accepted
    assert len(accepted) == sum(a.accepted for _kind, a in results)
    stored = stack.comments_like(f"%-{run}@load.faults.invalid")
    assert set(stored) == set(accepted)
    for comment_id, (kind, email) in accepted.items():
        assert stored[comment_id][:2] == (email, EXPECTED[kind][1]), comment_id
    assert len({email for email, _status, _rule in stored.values()}) == len(stored)
    half_written = stack.half_written()
    assert half_written == dict.fromkeys(half_written, 0)

    # What readers are told matches the rows. The page cache's copy may
    # lag (see test_page_cache_race.py), so it is reported, not asserted.
    public = stack.public_count()
    shown = stack.shown_counts()
    assert (shown["article_live"], shown["discussion"]) == (public, public)
    approved_now = sum(status == "approved" for _e, status, _r in stored.values())
    assert approved_now == sum(kind == "new" for kind, _e in accepted.values())

    by_kind = dict.fromkeys(EXPECTED, 0)
    for kind, _answer in results:
        by_kind[kind] += 1
    figures.update(
        {
            "clients": CLIENTS,
            "posts_sent": len(results),
            "seconds_posting": round(seconds, 1),
            "posts_per_s": round(len(results) / seconds, 1),
            "accepted_303": len(accepted),
            "refused_409_duplicate": sum(a.status == 409 for _k, a in results),
            "refused_429_rate_limit": sum(a.status == 429 for _k, a in results),
            "errors": sum(a.status == 0 or a.status >= 500 for _k, a in results),
            "stored": len(stored),
            "lost": len(set(accepted) - set(stored)),
            "stored_not_accepted": len(set(stored) - set(accepted)),
            "approved_stored": approved_now,
            "approved_rows_for_article": public,
            "count_shown": shown,
            "slowest_answer_s": round(max(a.seconds for _k, a in results), 2),
            "planned": by_kind,
        }
    )
