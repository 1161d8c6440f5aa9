from app import app


def test_index():
    r = app.test_client().get("/")
    assert r.status_code == 200
    assert b"hello" in r.data


def test_healthz():
    assert app.test_client().get("/healthz").data == b"ok\n"
