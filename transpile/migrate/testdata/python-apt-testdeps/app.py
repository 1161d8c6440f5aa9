from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "hello from the migrated flask service\n"


@app.get("/healthz")
def healthz():
    return "ok\n"
