from flask import Flask

application = Flask(__name__)


@application.get("/health")
def health():
    return {"status": "ok"}
