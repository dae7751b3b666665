"""The bare endpoint every scenario is compared with: one small JSON object, FastAPI on the
same server stack as mailslot (uvicorn, httptools, uvloop), nothing else."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/bare")
async def bare() -> dict[str, str]:
    return {"status": "ok"}
