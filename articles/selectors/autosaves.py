"""Which autosave to offer an editor opening the article form."""

from articles.models import Article, Autosave


def autosave_offer(*, user, article: Article | None) -> Autosave | None:
    """The editor's autosave worth offering back, or None.

    For an article: theirs, if it is newer than the article's last save (an
    older one was overtaken by a save and says nothing new). For a new
    article: their latest autosave of a piece never saved.
    """
    rows = Autosave.objects.filter(user=user)
    if article is None:
        return rows.filter(article=None).order_by("-saved_at").first()
    autosave = rows.filter(article=article).first()
    if autosave is None:
        return None
    autosave.article = article
    if article.modified_at and autosave.saved_at <= article.modified_at:
        return None
    return autosave
