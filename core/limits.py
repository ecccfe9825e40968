"""
Length limits that tell, never cut.

A ``maxlength`` attribute makes the browser drop, without a word, whatever a
person types or pastes past the limit: a 20,000-character comment is posted
as its first 5,000. Every form on the site and in the admin is rendered
through ``FormRenderer`` (``FORM_RENDERER`` in the settings), whose bound
field turns the attribute into ``data-maxlength``: the text is kept whole,
``static/js/limits.js`` shows a counter near the limit and a message past
it, and the server refuses an over-long value with the limit and the length
next to the field (Django's own ``max_length`` message), the text still there.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

OVER_LIMIT = _(
    "%(count)s characters; at most %(limit)s. Nothing has been cut: "
    "please shorten it before saving."
)


class SoftLimitBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        limit = attrs.get("maxlength", widget.attrs.get("maxlength"))
        if limit is not None and limit is not False:
            attrs["maxlength"] = False  # False leaves the attribute out
            attrs["data-maxlength"] = limit
            attrs["data-maxlength-over"] = str(OVER_LIMIT)
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = SoftLimitBoundField
