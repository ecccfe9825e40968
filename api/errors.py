"""
Errors as ``application/problem+json`` (RFC 9457), one shape for every one:
``type`` (a stable URN per kind), ``title``, ``status``, ``detail`` (what was
wrong, in words a developer can act on) and, for bad input, ``parameter``.
Clients branch on ``type``; the words may improve.
"""

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"

TITLES = {
    "bad-filter": "A query parameter has a value this API cannot use.",
    "bad-cursor": "The cursor is not one this API gave out.",
    "unknown-field": "A field asked for does not exist.",
    "unknown-parameter": "A query parameter is not one this endpoint takes.",
    "bad-key": "The API key is unknown or revoked.",
    "rate-limited": "Too many requests.",
    "not-found": "Nothing is published at this address.",
    "gone": "This piece was withdrawn.",
}


class Problem(Exception):
    """Raised anywhere below a view; answered by ``problem_response``."""

    def __init__(self, status: int, kind: str, detail: str, *, parameter=None):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.parameter = parameter


def problem_response(problem: Problem) -> JsonResponse:
    body = {
        "type": f"urn:newsroom:problem:{problem.kind}",
        "title": TITLES[problem.kind],
        "status": problem.status,
        "detail": problem.detail,
    }
    if problem.parameter is not None:
        body["parameter"] = problem.parameter
    response = JsonResponse(body, status=problem.status, content_type=CONTENT_TYPE)
    return response
