from django import template

from comments.models import Comment

register = template.Library()


@register.inclusion_tag("comments/comment_section.html")
def comment_section(article):
    """The comment section under an article: the public thread."""
    comments = (
        Comment.objects.public()
        .filter(article=article)
        .only("pk", "parent_id", "author_name", "body", "created_at")
        .order_by("created_at", "pk")
    )
    return {"article": article, "comments": comments}
