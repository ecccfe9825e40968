"""Whatever text comes in, what is stored and shown stays inside the allow-list.

Properties, checked with hypothesis on any text and on HTML-like text built
from the tags, attributes, URL tricks and entities attackers use, and then on
every payload of the XSS corpus:

- the body ``Article.save()`` stores uses only the sanitiser's tags and
  attributes, links only with allowed schemes, images only from MEDIA_URL;
- sanitising is idempotent: a stored body saved again stays the same;
- a rendered comment is escaped text in ``<p>``/``<br>`` with links the
  renderer made (http/https, ``rel="nofollow ugc noopener"``), and a reader
  sees exactly the text that was typed.

Deterministic (``derandomize``, no example database) and bounded, for CI.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.sanitize import sanitize_body
from comments.text import render_comment
from tests.factories import SectionFactory
from tests.security.allowlist import body_problems, comment_problems, visible_text
from tests.security.corpus import payloads

CI = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow],
)

TAGS = (
    "p br h1 h2 h3 strong b em i u s sub sup hr blockquote pre code ul ol li a img"
    " figure figcaption table caption thead tbody tfoot tr th td span div font"
    " script style template iframe object embed noscript noembed noframes"
    " textarea title xmp svg math mtext mglyph foreignObject animate set use"
    " base meta link form input button select option isindex plaintext"
    " listing details video audio source image frameset frame"
).split()
ATTRIBUTES = (
    "href src alt title width height start colspan rowspan scope rel target"
    " style class id name onerror onload onclick onmouseover onfocus autofocus"
    " xlink:href xmlns srcset formaction action data srcdoc http-equiv content"
    " background poster lang dir"
).split()
URL_TRICKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "//evil.example/x.png",
    "/\\evil.example/x.png",
    "/media/a.png",
    "/media/../a.png",
    "/media/%2e%2e/a.png",
    "https://example.org/",
    "mailto:desk@example.org",
    "tel:+441234",
]
ENTITIES = [
    "&lt;",
    "&gt;",
    "&amp;",
    "&quot;",
    "&#39;",
    "&#13;",
    "&#0;",
    "&#x3C;script&#x3E;",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&nbsp;",
    "&",
    "&#",
    "&#x;",
    "&bogus;",
]
RAW = [
    "<!--",
    "-->",
    "<!-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "?>",
    "<!doctype html>",
    "</",
    "<",
    ">",
    '"',
    "'",
    "`",
    "=",
    "/",
    "\n",
    "\r",
    "\t",
    "\x00",
]

words = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
attribute_value = st.one_of(
    st.sampled_from(URL_TRICKS), st.sampled_from(ENTITIES), words
)


@st.composite
def attribute(draw) -> str:
    name = draw(st.sampled_from(ATTRIBUTES))
    value = draw(attribute_value)
    quote = draw(st.sampled_from(['"', "'", ""]))
    if not quote:
        value = value.replace(" ", "").replace(">", "")
    return f" {name}={quote}{value}{quote}"


@st.composite
def start_tag(draw) -> str:
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(draw(st.lists(attribute(), max_size=3)))
    end = draw(st.sampled_from([">", "/>", " >", ""]))
    return f"<{tag}{attributes}{end}"


end_tag = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
fragment = st.one_of(
    start_tag(),
    end_tag,
    st.sampled_from(ENTITIES),
    st.sampled_from(RAW),
    st.sampled_from(URL_TRICKS),
    words,
)
html_like = st.lists(fragment, max_size=25).map("".join)
any_text = st.one_of(st.text(max_size=200), html_like)


def _no_nul(text: str) -> str:
    # Forms refuse NUL (and PostgreSQL cannot store it): no input carries one.
    return text.replace("\x00", "")


@pytest.fixture(scope="module")
def media_url():
    return django_settings.MEDIA_URL


@CI
@given(html=any_text)
def test_sanitised_body_stays_in_the_allow_list(html, media_url):
    cleaned = sanitize_body(html)
    assert body_problems(cleaned, media_url) == [], cleaned


@CI
@given(html=any_text)
def test_sanitising_is_idempotent(html):
    once = sanitize_body(html)
    assert sanitize_body(once) == once


@pytest.mark.django_db
@settings(CI, max_examples=150, suppress_health_check=list(HealthCheck))
@given(html=any_text.map(_no_nul))
def test_body_stored_by_save_stays_in_the_allow_list(html, media_url):
    section = SectionFactory(slug="properties")
    article = Article(headline="Property", section=section, body=html)
    article.save()
    stored = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    assert body_problems(stored, media_url) == [], stored
    article.save()
    assert Article.objects.values_list("body", flat=True).get(pk=article.pk) == stored


@CI
@given(text=any_text)
def test_rendered_comment_is_escaped_text_and_our_links(text):
    html = render_comment(text)
    assert comment_problems(html) == [], html
    assert visible_text(html) == " ".join(text.split()), html


def test_every_corpus_payload_is_cleaned_and_escaped(media_url):
    items = payloads()
    failures = []
    for payload in items:
        cleaned = sanitize_body(payload)
        failures += [(payload, "body", p) for p in body_problems(cleaned, media_url)]
        if sanitize_body(cleaned) != cleaned:
            failures.append((payload, "body", "not idempotent"))
        rendered = render_comment(payload)
        failures += [(payload, "comment", p) for p in comment_problems(rendered)]
        if visible_text(rendered) != " ".join(payload.split()):
            failures.append((payload, "comment", "text changed"))
    assert failures == [], failures[:20]
    print(f"\n{len(items)} payloads: sanitised body and rendered comment checked")
