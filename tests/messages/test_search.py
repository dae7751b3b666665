"""Full-text search and the filters it combines with, on every engine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailslot.messages import service
from mailslot.messages.search import SEARCH_WINDOW
from tests.support.factories import TestUser, ids, listing, make_user, send

pytestmark = [pytest.mark.anyio, pytest.mark.pgbouncer]


@pytest.fixture(autouse=True, params=[SEARCH_WINDOW, 2], ids=["window", "window2"])
def window(request, monkeypatch) -> None:
    """Every search here runs twice: in boxes within the window (each message tested by
    itself), and with a window of two, so that most results come from the full-text
    index below it, and both ways must find the same."""
    monkeypatch.setattr(service, "SEARCH_WINDOW", request.param)


async def found(client, user: TestUser, q: str, **params) -> list[int]:
    return ids((await listing(client, user, q=q, per_page=100, **params))["messages"])


async def test_search_finds_words_in_subject_and_body_newest_first(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    lunch = await send(client, alice, bob, subject="Lunch on Friday", message="At the usual place")
    place = await send(client, alice, bob, subject="Directions", message="The PLACE is on Main St.")
    other = await send(client, alice, bob, subject="Unrelated", message="Nothing here")
    assert await found(client, bob, "lunch") == [lunch["id"]]
    assert await found(client, bob, "place") == [place["id"], lunch["id"]]
    assert await found(client, bob, "Place friday") == [lunch["id"]]  # every word must match
    assert await found(client, bob, '"usual place"') == [lunch["id"]]
    assert await found(client, bob, '"place usual"') == []
    assert await found(client, bob, "direct*") == [place["id"]]
    assert await found(client, bob, "direct") == []  # whole words, unless a prefix
    assert await found(client, bob, "nothing") == [other["id"]]
    # The sender finds the same in the sent box; nobody else finds anything.
    assert await found(client, alice, "place", box="sent") == [place["id"], lunch["id"]]
    assert await found(client, alice, "place") == []
    outsider = await make_user(client)
    assert await found(client, outsider, "place") == []


async def test_search_splits_addresses_and_punctuation_alike_on_both_engines(
    client, dialect
) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(
        client,
        alice,
        bob,
        subject="Contact",
        message="Write to carol@example.com or see state-of-the-art/docs_v2.txt; 100% café",
    )
    for q in ["example", "carol@example.com", "art", "docs_v2", "v2", "100", "CAFÉ", "caf*"]:
        assert await found(client, bob, q) == [sent["id"]], q
    assert await found(client, bob, "cafe") == []  # accents count


# Each string searches a message whose subject is "hello" and body "world": it is
# found when every word of the string is one of those (operators are plain words).
HOSTILE = {
    "AND": False,
    "OR NOT": False,
    "NEAR(hello world)": False,
    "hello NOT world": False,
    "subject:hello": False,
    "{subject body}: hello": False,
    "hello*": True,
    "hel*": True,
    "*": False,
    "^hello": True,
    "hello + world": True,
    "(hello": True,
    "hello)": True,
    "-hello": True,
    "hello & world | !x": False,
    "hello <-> world": True,
    "hello:*": True,
    "hello:A": False,
    '"': False,
    '"hello': True,
    '""hello""': True,
    '"hello world"': False,  # a phrase never runs from the subject into the body
    "'": False,
    "''": False,
    "hello'world": True,
    "\\": False,
    "hello\\": True,
    "%": False,
    "_": False,
    "%hello%": True,
    "hel_o": False,
    "%_%": False,
    "'; DROP TABLE message; --": False,
    "\x00hello": True,
    "hello\x01\x7f": True,
    "🎉 hello 🎉": True,
    "٣ hello": False,
    "x" * 500: False,
    "é" * 500: False,
    "a " * 16: False,
}


@pytest.mark.parametrize(("q", "matches"), HOSTILE.items())
async def test_hostile_searches_get_an_answer(client, dialect, q, matches) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob, subject="hello", message="world")
    response = await client.get(
        f"/users/{bob.username}/messages", params={"q": q}, headers=bob.headers
    )
    assert response.status_code == 200, response.text
    assert ids(response.json()["messages"]) == ([sent["id"]] if matches else [])


@pytest.mark.parametrize("q", ["%", "_", "%_%", "***", '""', "?!"])
async def test_a_search_without_words_finds_nothing(client, dialect, q) -> None:
    alice, bob = await make_user(client), await make_user(client)
    await send(client, alice, bob, subject="100% sure", message="snake_case %_% ***")
    assert await found(client, bob, q) == []


async def test_a_blank_search_is_no_search(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    sent = await send(client, alice, bob)
    assert await found(client, bob, "") == [sent["id"]]
    assert await found(client, bob, "   ") == [sent["id"]]


@pytest.mark.parametrize(
    ("params", "status", "pointer"),
    [
        ({"q": "x" * 501}, 422, "/query/q"),
        ({"q": " ".join(["w"] * 17)}, 400, None),
        ({"from": "no spaces allowed"}, 422, "/query/from"),
        ({"from": "%"}, 422, "/query/from"),
        ({"to": "x" * 65}, 422, "/query/to"),
        ({"after": "yesterday"}, 422, "/query/after"),
        ({"before": "2026-13-45"}, 422, "/query/before"),
        ({"before": "9999-12-31T23:59:59-23:59"}, 422, "/query/before"),
        ({"after": "0001-01-01T00:00:00+05:00"}, 422, "/query/after"),
        ({"thread": "0"}, 422, "/query/thread"),
        ({"thread": str(2**63)}, 422, "/query/thread"),
        ({"box": "drafts"}, 422, "/query/box"),
    ],
)
async def test_bad_filters_get_a_clear_4xx(client, dialect, params, status, pointer) -> None:
    bob = await make_user(client)
    response = await client.get(
        f"/users/{bob.username}/messages", params=params, headers=bob.headers
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if pointer:
        assert pointer in [error["pointer"] for error in response.json()["errors"]]


async def test_search_combines_with_every_filter(client, dialect) -> None:
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    from_alice = await send(client, alice, bob, subject="report", message="draft one")
    from_carol = await send(client, carol, bob, subject="report", message="draft two")
    to_both = await send(client, alice, bob, carol, subject="report", message="final")
    await send(client, alice, bob, subject="other", message="draft")
    await client.get(f"/users/{bob.username}/messages/{from_carol['id']}", headers=bob.headers)

    assert await found(client, bob, "report", unread="true") == [to_both["id"], from_alice["id"]]
    assert await found(client, bob, "report", unread="false") == [from_carol["id"]]
    assert await found(client, bob, "report", **{"from": alice.username.upper()}) == [
        to_both["id"],
        from_alice["id"],
    ]
    assert await found(client, bob, "report draft", **{"from": carol.username}) == [
        from_carol["id"]
    ]
    assert await found(client, bob, "report", to=carol.username) == [to_both["id"]]
    assert await found(client, alice, "report", box="sent", to=carol.username) == [to_both["id"]]
    assert await found(client, bob, "report", **{"from": "nobody-registered"}) == []
    assert await found(client, bob, "report", thread=from_carol["thread_id"]) == [from_carol["id"]]
    now = datetime.now(UTC)
    assert await found(client, bob, "report", after=(now - timedelta(hours=1)).isoformat()) == [
        to_both["id"],
        from_carol["id"],
        from_alice["id"],
    ]
    assert await found(client, bob, "report", after=(now + timedelta(hours=1)).isoformat()) == []
    assert await found(client, bob, "report", before=(now - timedelta(hours=1)).isoformat()) == []
    naive = (now + timedelta(hours=1)).replace(tzinfo=None).isoformat()  # taken as UTC
    assert len(await found(client, bob, "report", before=naive)) == 3
    later, earlier = now.isoformat(), (now - timedelta(hours=1)).isoformat()
    assert await found(client, bob, "report", after=later, before=earlier) == []
    # Deleted: out of the inbox search, in the trash search.
    await client.delete(f"/users/{bob.username}/messages/{from_alice['id']}", headers=bob.headers)
    assert await found(client, bob, "draft one") == []
    assert await found(client, bob, "draft one", box="trash") == [from_alice["id"]]


async def test_search_results_page_by_cursor_and_by_number(client, dialect) -> None:
    alice, bob = await make_user(client), await make_user(client)
    matching = []
    for i in range(7):
        matching.append((await send(client, alice, bob, subject=f"invoice {i}"))["id"])
        await send(client, alice, bob, subject=f"noise {i}")
    expected = sorted(matching, reverse=True)
    seen: list[int] = []
    cursor = None
    while True:
        page = await listing(
            client, bob, q="invoice", per_page=3, **({"cursor": cursor} if cursor else {})
        )
        seen += ids(page["messages"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    numbered: list[int] = []
    for n in (1, 2, 3):
        numbered += ids((await listing(client, bob, q="invoice", per_page=3, page=n))["messages"])
    assert numbered == expected
