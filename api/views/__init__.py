"""
The API's endpoints, by what they serve: ``articles`` (pieces, their comments,
search) and ``names`` (sections, authors, tags). Each builds plain dicts
(``api.representation``) and answers with ``respond``; the schemas in
``api.schemas`` describe them for the OpenAPI document.
"""
