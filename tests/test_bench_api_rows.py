"""The benchmark's API rows point at answers that exist: the list of 20
filtered by the busiest and the quietest section, and one piece."""

import pytest

from bench.scenarios import find_targets
from tests.test_bench import seed

pytestmark = pytest.mark.django_db


def test_the_api_rows_answer_200_in_a_seeded_bench(client):
    seed()
    targets = find_targets()
    for name in ("api-list", "api-article"):
        _label, path, twin = targets.pages[name]
        for url in (path, twin):
            response = client.get(url)
            assert response.status_code == 200, (url, response.content[:200])
            assert response["Content-Type"] == "application/json"
