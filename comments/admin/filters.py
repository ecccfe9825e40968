"""The comment list's own filters: the queue it opens on, and the rule that decided."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from ..models import Comment, Report
from ..rules import RULE_NAMES


class RuleFilter(admin.SimpleListFilter):
    """The rule that decided, listed from the policy: no DISTINCT over every
    comment to find the names."""

    title = _("rule")
    parameter_name = "moderation_rule"

    def lookups(self, request, model_admin):
        return [(name, name) for name in RULE_NAMES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(moderation_rule=self.value())
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """Opens on what needs a moderator: held comments and reported ones."""

    title = _("queue")
    parameter_name = "queue"

    def __init__(self, request, params, model, model_admin):
        # Any other filter or a search means the moderator is looking for
        # something in particular: then the default is everything.
        self.default = (
            "all"
            if any(key != self.parameter_name for key in params) or request.GET.get("q")
            else "attention"
        )
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            ("attention", _("Needs attention")),
            ("held", _("Held for review")),
            ("reported", _("Reported")),
            ("all", _("All comments")),
        ]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == "attention":
            return queryset.needs_attention()
        if value == "held":
            return queryset.filter(status=Comment.Status.PENDING)
        if value == "reported":
            open_reports = Report.objects.filter(
                comment=OuterRef("pk"), outcome=Report.Outcome.OPEN
            )
            return queryset.filter(Q(hidden_at__isnull=False) | Exists(open_reports))
        return queryset
