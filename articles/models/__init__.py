from .article import (
    Article,
    ArticleAuthor,
    ArticleQuerySet,
    KeyTakeaway,
    RelatedArticle,
    TaggedArticle,
)
from .author import Author
from .section import Section

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "Author",
    "KeyTakeaway",
    "RelatedArticle",
    "Section",
    "TaggedArticle",
]
