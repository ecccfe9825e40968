"""A new worker compiles its busiest templates and imports its views at boot,
not on an editor's first request (issue 14, point 8)."""

import pytest
from django.template import engines

from newsroom.wsgi import WARM_TEMPLATES, warm_up


@pytest.mark.django_db
def test_warming_up_compiles_the_busiest_templates_without_the_database(
    django_assert_num_queries,
):
    engine = engines["django"].engine
    cached = next(
        loader
        for loader in engine.template_loaders
        if hasattr(loader, "get_template_cache")
    )
    cached.reset()

    with django_assert_num_queries(0):
        warm_up()

    assert set(WARM_TEMPLATES) <= set(cached.get_template_cache)
