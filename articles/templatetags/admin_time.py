"""Times in the admin, with the site's time zone named (see ``articles.zone``)."""

from django import template

from articles import zone

register = template.Library()


@register.simple_tag
def site_zone(moment=None) -> str:
    """The site's zone and its offset at ``moment`` (now if not given)."""
    return zone.label(moment)


@register.filter
def zoned(moment) -> str:
    """``moment`` as the editor reads it: locale format, site zone, zone named."""
    return zone.when(moment)
