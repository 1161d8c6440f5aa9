from fastapi import FastAPI

api: FastAPI = FastAPI()


@api.get("/healthz")
def healthz():
    return {"ok": True}
