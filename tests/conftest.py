import pytest


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Uploads go to a temporary folder; every test starts with an empty cache."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a transaction would run on commit (purges happen there)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture
def writer(db):
    from core.roles import WRITERS
    from tests.factories import UserFactory

    return UserFactory(username="writer", groups=[WRITERS])


@pytest.fixture
def editor(db):
    from core.roles import EDITORS
    from tests.factories import UserFactory

    return UserFactory(username="editor", groups=[EDITORS])


@pytest.fixture
def moderator(db):
    from core.roles import MODERATORS
    from tests.factories import UserFactory

    return UserFactory(username="moderator", groups=[MODERATORS])
