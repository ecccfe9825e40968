from .article import Article, ArticleConflict
from .author import Author
from .autosave import Autosave
from .correction import Correction
from .parts import ArticleAuthor, KeyTakeaway, RelatedArticle, TaggedArticle
from .queryset import ArticleQuerySet
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
    "Autosave",
    "Correction",
    "KeyTakeaway",
    "PreviewLink",
    "RelatedArticle",
    "Section",
    "TaggedArticle",
]
