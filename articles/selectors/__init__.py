"""
Reading data for pages, by what is read: ``pages`` (the article page, whose
parts come in the article's own row through ``parts``), ``corrections`` (what
readers see of them), ``previews`` (what a preview link is and names) and
``revisions`` (what changed between two saved revisions), ``lists`` (a
list's count and the front page's section blocks, kept in the shared cache)
and ``listed`` (a page of a list as plain rows, its query compiled once).
Lists of pieces start from ``Article.objects.published()``; writes are
``articles.services``'.
"""
