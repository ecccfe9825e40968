"""
Old addresses that no route of ours matches: answered with a 301 in one hop.

``ArticlePath`` rows under our own article route are answered by the article
view. An import brings addresses of another shape: WordPress's
``/2012/01/08/hello-world/``, ``/?p=123``, ``/?attachment_id=45``. Like
``django.contrib.redirects``, this looks them up only when the answer would
otherwise be 404, so it costs nothing on a page that exists; the query forms
are read before the front page answers them, since ``/`` itself exists. Only
a published piece is a destination: an old address never reveals a draft.
"""

from django.http import HttpResponsePermanentRedirect

from articles.models import Article, ArticlePath

QUERY_FORMS = ("p", "page_id", "attachment_id")


def _destination(path: str) -> str | None:
    old = (
        ArticlePath.objects.filter(path=path, article__in=Article.objects.published())
        .select_related("article")
        .first()
    )
    return old.article.get_absolute_url() if old else None


class OldAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path_info == "/":
            for name in QUERY_FORMS:
                value = request.GET.get(name, "")
                if value.isdigit():
                    target = _destination(f"/?{name}={value}")
                    if target:
                        return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404:
            target = _destination(request.path_info)
            if target:
                return HttpResponsePermanentRedirect(target)
        return response
