"""The ceiling of the HTTP layer alone: a bare FastAPI app answering {"hello": "world"}, served by the
same uvicorn with the same worker count as the gateway (bench/gateway_reads.py measures it beside it)."""
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello():
    return {"hello": "world"}
