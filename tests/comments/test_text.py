"""A comment's plain text becomes safe HTML: escaped, line breaks, nofollow links."""

import pytest

from comments.text import count_links, find_urls, render_comment


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Fine <b>point</b>", "<p>Fine &lt;b&gt;point&lt;/b&gt;</p>"),
        ("one\ntwo", "<p>one<br>two</p>"),
        ("one\r\n\r\ntwo", "<p>one</p>\n\n<p>two</p>"),
        ("  \n  padded  \n\n", "<p>padded</p>"),
        ('He said "yes" & left', "<p>He said &quot;yes&quot; &amp; left</p>"),
        ("日米安全保障条約 – “Quasi-Ally”", "<p>日米安全保障条約 – “Quasi-Ally”</p>"),
        ("", ""),
    ],
)
def test_text_is_escaped_with_paragraphs_and_line_breaks(text, html):
    assert render_comment(text) == html


def test_links_are_nofollow_ugc_and_their_text_is_escaped():
    html = render_comment("See https://example.com/a?x=1&y=<2> now")

    assert html == (
        '<p>See <a href="https://example.com/a?x=1&amp;y=" '
        'rel="nofollow ugc noopener">https://example.com/a?x=1&amp;y=</a>'
        "&lt;2&gt; now</p>"
    )


def test_www_addresses_become_https_links():
    assert render_comment("www.example.org") == (
        '<p><a href="https://www.example.org" rel="nofollow ugc noopener">'
        "www.example.org</a></p>"
    )


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Read https://example.com/page.", "https://example.com/page"),
        ("(see https://example.com/x)", "https://example.com/x"),
        (
            "https://en.wikipedia.org/wiki/Treaty_(law), and",
            "https://en.wikipedia.org/wiki/Treaty_(law)",
        ),
        ("“https://example.com/q”", "https://example.com/q"),
        ("https://example.com/?!", "https://example.com/"),
    ],
)
def test_sentence_punctuation_stays_outside_the_link(text, url):
    assert find_urls(text) == [url]


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "http:// nothing",
    ],
)
def test_nothing_but_http_becomes_a_link(text):
    html = render_comment(text)

    assert "<a " not in html
    assert "<script" not in html


def test_a_quote_ends_the_link_so_no_attribute_can_be_injected():
    html = render_comment('https://example.com/"onmouseover="alert(1)')

    assert html == (
        '<p><a href="https://example.com/" rel="nofollow ugc noopener">'
        "https://example.com/</a>&quot;onmouseover=&quot;alert(1)</p>"
    )


def test_links_are_counted_as_readers_see_them():
    assert count_links("no links here, example.com is not one") == 0
    assert count_links("https://a.example and www.b.example and http://c.example") == 3
    assert count_links("https:// and www.") == 0
