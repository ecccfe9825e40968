from .article import (
    Article,
    ArticleAuthor,
    ArticleConflict,
    ArticleQuerySet,
    KeyTakeaway,
    RelatedArticle,
    TaggedArticle,
)
from .author import Author
from .correction import Correction
from .section import Section
from .workflow import ArticlePath, ArticleTransition, PreviewLink

__all__ = [
    "Article",
    "ArticleAuthor",
    "ArticleConflict",
    "ArticlePath",
    "ArticleQuerySet",
    "ArticleTransition",
    "Author",
    "Correction",
    "KeyTakeaway",
    "PreviewLink",
    "RelatedArticle",
    "Section",
    "TaggedArticle",
]
