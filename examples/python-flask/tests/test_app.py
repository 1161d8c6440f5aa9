import pytest

from app import GREETING, create_app


@pytest.fixture
def app():
    app = create_app()
    app.config.update(TESTING=True)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def test_index_greets(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert resp.get_json() == {"message": GREETING, "service": "python-flask"}


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "ok"


def test_unknown_path_is_404(client):
    assert client.get("/nope").status_code == 404
