"""A small Flask service: the seed's example app, made real."""
import os

from flask import Flask, jsonify

GREETING = "Hello from dockstage python-flask!"


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return jsonify(message=GREETING, service="python-flask")

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
