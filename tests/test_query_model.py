"""deps.query_model reads a query string as one model, and answers and documents it as
FastAPI does for parameters declared one by one."""

from __future__ import annotations

from typing import Annotated, Literal

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, Field

from mailslot.deps import query_model, query_parameters
from mailslot.problems import install_error_handlers

pytestmark = pytest.mark.anyio


class Listing(BaseModel):
    box: Literal["inbox", "sent"] = Field("inbox", description="Which box.")
    per_page: int = Field(20, ge=1, le=100)
    sender: str | None = Field(None, alias="from", max_length=8, description="Sent by.")


def both_ways() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/separate")
    async def separate(
        box: Annotated[Literal["inbox", "sent"], Query(description="Which box.")] = "inbox",
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
        sender: Annotated[
            str | None, Query(alias="from", max_length=8, description="Sent by.")
        ] = None,
    ) -> dict[str, object]:
        return {"box": box, "per_page": per_page, "from": sender}

    @app.get("/model", openapi_extra=query_parameters(Listing))
    async def model(
        query: Annotated[Listing, Depends(query_model(Listing))],
    ) -> dict[str, object]:
        return {"box": query.box, "per_page": query.per_page, "from": query.sender}

    return app


def test_the_parameters_are_documented_alike() -> None:
    paths = both_ways().openapi()["paths"]
    assert paths["/model"]["get"]["parameters"] == paths["/separate"]["get"]["parameters"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "box=sent&per_page=5&from=ann",
        "per_page=0",
        "per_page=x&box=trash",
        "from=" + "x" * 9,
        "box=sent&box=inbox",  # the last one counts, both ways
        "unknown=1",
    ],
)
async def test_answers_are_the_same(query: str) -> None:
    transport = httpx.ASGITransport(app=both_ways())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        separate = await client.get(f"/separate?{query}")
        model = await client.get(f"/model?{query}")
    assert model.status_code == separate.status_code
    body, expected = model.json(), separate.json()
    if separate.status_code == 422:
        assert body["errors"] == expected["errors"]
    else:
        assert body == expected
