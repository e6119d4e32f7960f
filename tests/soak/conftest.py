import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """The soak tests run their own PostgreSQL servers and never the test database: nothing
    of the suite's shared cache to clear."""
    yield
