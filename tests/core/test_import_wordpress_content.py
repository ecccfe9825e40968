"""How a WordPress post's text becomes an article body: WordPress's paragraph
rule, shortcodes, videos, Gutenberg comments, and the characters kept."""

from articles.models import Article
from core.importers.wordpress.content import autop, convert, url_key


def test_a_blank_line_makes_a_paragraph_and_a_single_break_a_br():
    assert autop("One\ntwo\n\nThree") == "<p>One<br />\ntwo</p>\n\n<p>Three</p>"


def test_block_elements_are_not_wrapped_in_paragraphs():
    assert autop("<h2>Title</h2>\n\nText") == "<h2>Title</h2>\n\n<p>Text</p>"


def test_pre_keeps_its_blank_lines_and_breaks():
    text = "Before\n\n<pre>a\n\nb</pre>\n\nAfter"
    assert "<pre>a\n\nb</pre>" in autop(text)


def test_gutenberg_block_comments_go_and_the_paragraph_rule_is_not_applied():
    body = convert("<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->")
    assert body.html == "<p>One\ntwo</p>\n"


def test_a_caption_shortcode_becomes_a_figure_with_its_caption():
    body = convert('[caption id="x" width="300"]<img src="/a.png" /> A pier[/caption]')
    assert body.html == (
        '<figure><img src="/a.png" /><figcaption>A pier</figcaption></figure>'
    )


def test_the_first_video_is_the_articles_and_later_ones_stay_links():
    body = convert(
        "Intro\n\nhttps://youtu.be/abcDEF12345\n\n[vimeo 123456789]\n\n"
        "[embed]https://www.youtube.com/watch?v=zzzZZZ11111[/embed]"
    )
    assert body.video_url == "https://youtu.be/abcDEF12345"
    assert body.other_videos == [
        "https://vimeo.com/123456789",
        "https://www.youtube.com/watch?v=zzzZZZ11111",
    ]
    assert "youtu.be" not in body.html


def test_unknown_shortcodes_stay_as_text_and_are_listed():
    body = convert('[gallery ids="1,2"] and [[escaped]]')
    assert '[gallery ids="1,2"]' in body.html
    assert "[escaped]" in body.html
    assert body.unknown_shortcodes == ["gallery"]


def test_a_file_is_known_by_its_address_without_host_or_size():
    assert url_key("https://a.example/wp-content/uploads/2020/01/cat-300x200.jpg") == (
        url_key("http://b.example/wp-content/uploads/2020/01/cat.jpg")
    )


def test_the_imported_body_keeps_entities_backslashes_and_split_cdata(run_import):
    run_import("basic.xml")
    body = Article.objects.get(slug="ferry-returns").body
    assert r"C:\tickets\adult, a path someone typed &amp; kept" in body
    assert "]]&gt; stays" in body
    assert "<p>The ferry is back. It leaves at 8:00<br>\nand returns at 18:00.</p>" in (
        body
    )
    assert "<pre>keep\n  these lines</pre>" in body
    assert '[gallery ids="20"]' in body


def test_the_video_on_its_own_line_is_the_articles_privacy_video(run_import):
    run_import("basic.xml")
    article = Article.objects.get(slug="ferry-returns")
    assert article.video_url == "https://www.youtube.com/watch?v=abcDEF12345"
    assert article.video_title == "Ferry returns to the north pier"
    assert "youtube" not in article.body


def test_the_excerpt_becomes_the_dek_as_plain_text(run_import):
    run_import("basic.xml")
    assert Article.objects.get(slug="ferry-returns").dek == (
        "The harbour\u2019s ferry is back."
    )
