import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.cards import render_cards
from articles.metadata import largest_image, renditions_by_format

register = template.Library()

# What a reader's browser may not read as markup inside a <script> data block.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data) -> str:
    """A JSON-LD data block (not executable script; CSP script-src ignores it)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_ESCAPES)),
    )


def _srcset(renditions: list[dict]) -> str:
    return ", ".join(f"{r['url']} {r['width']}w" for r in renditions)


@register.inclusion_tag("includes/picture.html")
def picture(renditions, alt, sizes="(min-width: 48rem) 42rem, 100vw", css_class=""):
    """A <picture> of an image's renditions: WebP first, JPEG/PNG as fallback.

    Never the raw upload: ``src`` is the widest rendition.
    """
    grouped = renditions_by_format(renditions or [])
    fallback = largest_image(renditions or [])
    sources = []
    if grouped.get("webp"):
        sources.append(
            {
                "type": "image/webp",
                "srcset": ", ".join(
                    f"{r['url']} {r['width']}w" for r in grouped["webp"]
                ),
            }
        )
    fallback_set = []
    if fallback:
        fallback_set = grouped[fallback["format"]]
    return {
        "sources": sources,
        "fallback": fallback,
        "srcset": ", ".join(f"{r['url']} {r['width']}w" for r in fallback_set),
        "alt": alt,
        "sizes": sizes,
        "css_class": css_class,
    }


@register.simple_tag
def article_cards(articles, show_section=False):
    """Each article's card (``includes/article_card.html``), rendered once
    for what it shows and shared through the cache (``articles.cards``)."""
    return render_cards(articles, show_section=bool(show_section))
