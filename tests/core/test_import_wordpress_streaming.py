"""The export is read as a stream: memory holds one item, whatever the size."""

import tracemalloc

from core.importers.wordpress.parse import Item, check_file, read_file

from .conftest import WXR

ITEM = """<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>
<content:encoded><![CDATA[{body}]]></content:encoded>
<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>
"""


def _export(tmp_path, count):
    head, tail = (WXR / "second.xml").read_text().split("\t<item>", 1)
    tail = tail[tail.index("</item>") + len("</item>") :]
    path = tmp_path / f"big-{count}.xml"
    with open(path, "w") as out:
        out.write(head)
        for n in range(count):
            out.write(ITEM.format(n=n, body="Paragraph text. " * 200))
        out.write(tail)
    return path


def _peak(path):
    tracemalloc.start()
    items = sum(isinstance(thing, Item) for thing in read_file(path))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return items, peak


def test_reading_ten_times_more_items_does_not_need_more_memory(tmp_path):
    small, large = _export(tmp_path, 200), _export(tmp_path, 2000)
    assert check_file(large).items == 2000
    small_items, small_peak = _peak(small)
    large_items, large_peak = _peak(large)
    assert (small_items, large_items) == (200, 2000)
    # The large file is ~6.5 MB; reading it keeps well under one megabyte.
    assert large_peak < 1_000_000
    assert large_peak < small_peak * 1.5


def test_cdata_split_in_several_sections_is_joined(tmp_path):
    items = [thing for thing in read_file(WXR / "basic.xml") if isinstance(thing, Item)]
    post = next(item for item in items if item.post_id == "10")
    assert "Split CDATA: ]]> stays." in post.get("content")
    assert r"C:\tickets\adult" in post.get("content")
