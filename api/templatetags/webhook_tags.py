"""
The editors' desk says when a webhook was switched off after failing, so the
partners that stopped hearing about new pieces are not a surprise. Here, not
in ``core``'s desk, because ``core`` may not import the API.
"""

from django import template

from api.webhooks.models import WebhookSubscription

register = template.Library()


@register.inclusion_tag("admin/includes/webhooks_disabled.html", takes_context=True)
def webhooks_disabled(context):
    """One query, and none for those who do not see the desk."""
    user = context["request"].user
    if not user.has_perm("articles.view_article"):
        return {"switched_off": []}
    return {
        "switched_off": list(
            WebhookSubscription.objects.filter(
                is_active=False, disabled_at__isnull=False
            ).order_by("-disabled_at")[:5]
        ),
        "may_change": user.has_perm("api.change_webhooksubscription"),
    }
