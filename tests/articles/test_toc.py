from articles.toc import Heading, add_heading_anchors


def test_headings_get_unique_anchors_and_readable_text():
    body = (
        "<h2>What is the objective?</h2><p>x</p>"
        "<h2>Why a “quasi-ally”?</h2>"
        "<h2>What is the objective?</h2>"
        "<h2>日米安全保障条約</h2>"
        "<h2>Fish &amp; <em>chips</em></h2>"
    )

    html, headings = add_heading_anchors(body)

    assert headings == [
        Heading("what-is-the-objective", "What is the objective?"),
        Heading("why-a-quasi-ally", "Why a “quasi-ally”?"),
        Heading("what-is-the-objective-2", "What is the objective?"),
        Heading("section-4", "日米安全保障条約"),
        Heading("fish-chips", "Fish & chips"),
    ]
    assert html.startswith('<h2 id="what-is-the-objective">What is the objective?</h2>')
    assert '<h2 id="fish-chips">Fish &amp; <em>chips</em></h2>' in html


def test_body_without_headings_is_unchanged():
    assert add_heading_anchors("<p>Only text.</p>") == ("<p>Only text.</p>", [])
