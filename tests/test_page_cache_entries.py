"""How the page cache keeps a page (caching/entries.py): bytes that give back
the status, headers, body and tag generations they were made from, and a
miss for anything else."""

import gzip

from caching.entries import RETIRED, Entry

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("ETag", '"abc"'),
    ("Surrogate-Key", "article:12 nav"),
    ("Content-Disposition", "=?utf-8?b?w6k=?="),  # Django's MIME-encoded value
]
BODY = "<h1>UK Considers Security Treaty with Japan as “Quasi-Ally”</h1>\r\n\n".encode()


def stored(**changes) -> bytes:
    fields = {
        "status": 200,
        "until": 1_900_000_000.25,
        "epoch": 7,
        "generations": {"article:12": 3, "nav": 1},
        "headers": HEADERS,
        "content": BODY,
        **changes,
    }
    return Entry.encode(**fields)


def test_a_stored_page_gives_back_what_it_was_made_from():
    entry = Entry.decode(stored())

    assert (entry.status, entry.until, entry.epoch) == (200, 1_900_000_000.25, 7)
    assert entry.content == BODY
    assert entry.generations == {"article:12": 3, "nav": 1}
    assert entry.header_store() == {name.lower(): (name, v) for name, v in HEADERS}


def test_a_page_without_tags_headers_or_body_round_trips():
    entry = Entry.decode(stored(generations={}, headers=[], content=b"", status=301))

    assert (entry.status, entry.content, entry.generations) == (301, b"", {})
    assert entry.header_store() == {}


def test_a_restamped_entry_differs_only_in_its_epoch():
    entry = Entry.decode(stored())

    again = Entry.decode(entry.restamp(12))

    assert again.epoch == 12
    assert (again.status, again.until, again.content) == (200, entry.until, BODY)
    assert again.generations == entry.generations
    assert again.header_store() == entry.header_store()


def test_a_retired_entry_keeps_its_page_but_no_generation_a_purge_makes():
    entry = Entry.decode(stored(hard_epoch=4, rest_until=1_800_000_000.5))

    retired = Entry.decode(entry.retired())

    assert retired.epoch == RETIRED
    assert retired.generations == {"article:12": RETIRED, "nav": RETIRED}
    assert (retired.hard_epoch, retired.rest_until) == (4, 1_800_000_000.5)
    assert (retired.status, retired.until, retired.content) == (200, entry.until, BODY)
    assert retired.header_store() == entry.header_store()


def test_a_retired_entry_without_tags_round_trips():
    retired = Entry.decode(Entry.decode(stored(generations={})).retired())

    assert (retired.epoch, retired.generations, retired.content) == (-1, {}, BODY)


def test_anything_else_in_the_cache_is_a_miss_not_an_error():
    for other in (
        b"",
        b"garbage",
        b"200 1 2 3\n",
        b"200 1.0 7 - 0 900 10\n{}",
        # The format before the compressed copy: a miss, stored again anew.
        b"200 1900000000.000 7 - 0.000 2 0\n{}<p>",
        5,
        None,
    ):
        assert Entry.decode(other) is None, other
    # A truncated value (a cut write) is not replayed with a short body.
    assert Entry.decode(stored()[:40]) is None


def test_the_stale_copy_facts_round_trip_and_survive_a_restamp():
    # caching.coalesce reads these: may the copy answer stale, and until when
    # it rests before the next render.
    plain = Entry.decode(stored())
    assert (plain.hard_epoch, plain.rest_until) == (None, 0.0)

    kept = Entry.decode(stored(hard_epoch=4, rest_until=1_900_000_000.5))
    assert (kept.hard_epoch, kept.rest_until) == (4, 1_900_000_000.5)

    again = Entry.decode(kept.restamp(9))
    assert (again.epoch, again.hard_epoch, again.rest_until) == (
        9,
        4,
        1_900_000_000.5,
    )
    assert again.content == BODY


def test_a_replayed_entry_splits_its_bytes_once():
    blob = stored()
    entry = Entry.decode(blob)

    assert entry.blob is blob
    assert entry.content is entry.content
    assert entry.header_store() is entry.header_store()
    assert entry.header_store() == Entry.decode(blob).header_store()


def test_the_compressed_copy_round_trips_and_survives_restamp_and_retire():
    packed = gzip.compress(BODY * 40, mtime=0)
    entry = Entry.decode(stored(content=BODY * 40, packed=packed))

    assert (entry.content, entry.packed) == (BODY * 40, packed)
    for again in (Entry.decode(entry.restamp(9)), Entry.decode(entry.retired())):
        assert (again.content, again.packed) == (BODY * 40, packed)
        assert again.header_store() == entry.header_store()
    headers = entry.gzip_header_store()
    assert headers["content-encoding"] == ("Content-Encoding", "gzip")
    assert headers["content-length"] == ("Content-Length", str(len(packed)))
    assert headers["etag"] == ("ETag", 'W/"abc"')
    assert entry.header_store()["etag"] == ("ETag", '"abc"')  # the plain one kept


def test_an_entry_without_a_compressed_copy_has_none():
    assert Entry.decode(stored()).packed == b""
