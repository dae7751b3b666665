"""Who may message whom (issue 22, part 2): groups on provisioned users, the policy's
routes, and each rule as a send meets it, through the native API, seed A and the server
API's send."""

from __future__ import annotations

import pytest

from mailslot.accounts.service import username_key
from mailslot.policy import service
from mailslot.state import app_state
from tests.compat.seed_a import make_seed_a_user, seed_a
from tests.policy.conftest import POLICY, age, member, put_policy, refused, write
from tests.support.factories import inbox, make_server_key, make_user, send
from tests.support.problems import problem

pytestmark = pytest.mark.anyio


async def test_groups_are_kept_sorted_once_and_left_out_keeps_them(client, key, dialect) -> None:
    _user, host_id = await member(client, key, "teachers", "staff", "teachers")
    url = f"/server/users/{host_id}"
    assert (await client.get(url, headers=key.headers)).json()["groups"] == ["staff", "teachers"]

    kept = await client.put(url, json={"display_name": "Pat"}, headers=key.headers)
    assert (kept.json()["outcome"], kept.json()["groups"]) == ("unchanged", ["staff", "teachers"])
    moved = await client.put(
        url, json={"display_name": "Pat", "groups": ["staff"]}, headers=key.headers
    )
    assert (moved.json()["outcome"], moved.json()["groups"]) == ("updated", ["staff"])
    cleared = await client.put(
        url, json={"display_name": "Pat", "groups": None}, headers=key.headers
    )
    assert (cleared.json()["outcome"], cleared.json()["groups"]) == ("updated", [])


@pytest.mark.parametrize(
    ("groups", "pointer"),
    [
        (["ok", "has space"], "/body/groups/1"),
        (["*"], "/body/groups/0"),
        (["@ungrouped"], "/body/groups/0"),
        (["-dash-first"], "/body/groups/0"),
        (["x" * 65], "/body/groups/0"),
        ([f"g{n}" for n in range(33)], "/body/groups"),
        ([7], "/body/groups/0"),
    ],
)
async def test_a_malformed_group_list_is_refused_and_changes_nothing(
    client, key, dialect, groups, pointer
) -> None:
    _, host_id = await member(client, key, "kept")
    url = f"/server/users/{host_id}"
    put = await client.put(url, json={"display_name": "Pat", "groups": groups}, headers=key.headers)
    body = problem(put, 422, "validation_failed")
    assert [error["pointer"] for error in body["errors"]] == [pointer]
    assert (await client.get(url, headers=key.headers)).json()["groups"] == ["kept"]


async def test_a_batch_sets_groups_per_user(client, key, dialect) -> None:
    _, host_id = await member(client, key)
    batch = await client.post(
        "/server/users/batch",
        json={
            "users": [
                {"external_id": host_id, "display_name": "Pat", "groups": ["b", "a"]},
                {"external_id": f"{host_id}x", "display_name": "Lee", "groups": ["bad name"]},
            ]
        },
        headers=key.headers,
    )
    assert batch.status_code == 200, batch.text
    first, second = batch.json()["results"]
    assert (first["outcome"], first["user"]["groups"]) == ("updated", ["a", "b"])
    assert second["outcome"] == "error"
    assert second["error"]["errors"][0]["pointer"] == "/body/users/1/groups/0"


async def test_the_policy_is_put_read_and_removed(client, key, groups, dialect) -> None:
    rules = {
        "initiators": [groups.teachers, "*"],
        "reply_only": [groups.students],
        "allow": [{"from": groups.students, "to": groups.teachers}],
        "deny": [{"from": "@ungrouped", "to": groups.students}],
        "new_accounts": {"younger_than_days": 7, "contacts_per_day": 5},
    }
    put = await put_policy(client, key, **rules)
    got = await client.get(POLICY, headers=key.headers)
    assert got.json() == put
    assert put["rules"] == 6
    assert put["updated_at"] is not None
    assert put["initiators"] == sorted(rules["initiators"])
    assert {k: put[k] for k in ("reply_only", "allow", "deny", "new_accounts")} == {
        k: rules[k] for k in ("reply_only", "allow", "deny", "new_accounts")
    }

    none = await put_policy(client, key)
    assert none["rules"] == 0
    assert none["initiators"] is None
    assert (none["reply_only"], none["allow"], none["deny"]) == ([], [], [])


async def test_the_policy_read_with_the_users_is_the_policy_and_the_users_read_apart(
    app, client, key, groups, dialect
) -> None:
    """What a send reads in one statement where nothing is remembered (policy/gate.py)."""
    student, _ = await member(client, key, groups.students)
    teacher, _ = await member(client, key)
    keys = [username_key(student.username), username_key(teacher.username), "nobody-by-this-name"]
    for rules in ({"deny": [{"from": groups.students, "to": "*"}]}, {}):
        put = await client.put(POLICY, json=rules, headers=key.headers)
        assert put.status_code == 200, put.text
        async with app_state(app).sessions() as db:
            rules_read = (await service.get_policy(db)).rules
            members_read = await service.find_members(db, keys)
            assert sorted(members_read) == sorted(keys[:2])
            together = await service.policy_and_members(db, keys, members=True)
            assert together == (rules_read, members_read)
            # Without `members`, the users only where there is a policy.
            together = await service.policy_and_members(db, keys)
            assert together == (rules_read, {} if rules_read.empty else members_read)
            nobody = await service.policy_and_members(db, keys[2:], members=True)
            assert nobody == (rules_read, {})


@pytest.mark.parametrize(
    "rules",
    [
        {"allow": [{"from": "a b", "to": "c"}]},
        {"deny": [{"from": "a"}]},
        {"allow": [{"from": "a", "to": "b", "both": True}]},
        {"reply_only": ["@everyone"]},
        {"new_accounts": {"younger_than_days": 0, "contacts_per_day": 1}},
        {"new_accounts": {"younger_than_days": 1, "contacts_per_day": -1}},
        {"new_accounts": {"younger_than_days": True, "contacts_per_day": False}},
        {
            "allow": [{"from": f"g{n}", "to": "t"} for n in range(300)],
            "deny": [{"from": f"g{n}", "to": "t"} for n in range(201)],
        },
        {"limits": {}},
        {"reply_only": None},
    ],
)
async def test_a_malformed_policy_is_refused_and_the_old_one_stays(
    client, key, groups, dialect, rules
) -> None:
    before = await put_policy(client, key, reply_only=[groups.students])
    problem(await client.put(POLICY, json=rules, headers=key.headers), 422, "validation_failed")
    assert (await client.get(POLICY, headers=key.headers)).json() == before


async def test_the_policy_needs_the_moderation_scope(app, client, key, dialect) -> None:
    other = await make_server_key(app, "users:write", "messages:send_as")
    for method in ("GET", "PUT"):
        refusal = await client.request(method, POLICY, json={}, headers=other.headers)
        assert "moderation" in problem(refusal, 403, "insufficient_scope")["detail"]


async def test_pairs_decide_every_message_and_deny_wins(client, key, groups, dialect) -> None:
    student, _ = await member(client, key, groups.students)
    classmate, _ = await member(client, key, groups.students)
    teacher, _ = await member(client, key, groups.teachers)
    await put_policy(
        client,
        key,
        allow=[
            {"from": groups.students, "to": groups.teachers},
            {"from": groups.teachers, "to": groups.students},
        ],
    )
    assert (await write(client, student, teacher)).status_code == 201
    assert (await write(client, teacher, student)).status_code == 201
    refused(await write(client, student, classmate), "allow")

    # All or nothing: the teacher gets nothing of a message a classmate may not get.
    before = len(await inbox(client, teacher))
    refused(await write(client, student, teacher, classmate), "allow")
    assert len(await inbox(client, teacher)) == before

    await put_policy(
        client,
        key,
        allow=[{"from": groups.students, "to": groups.teachers}],
        deny=[
            {"from": groups.teachers, "to": groups.students},
            {"from": groups.students, "to": groups.teachers},
        ],
    )
    detail = refused(await write(client, student, teacher), "deny[1]")
    # The rule and the sender's own group, never the receiver or their group.
    assert groups.students in detail
    assert teacher.username not in detail
    assert groups.teachers not in detail


async def test_a_reply_only_group_answers_but_never_starts(client, key, groups, dialect) -> None:
    student, _ = await member(client, key, groups.students)
    teacher, _ = await member(client, key, groups.teachers)
    colleague, _ = await member(client, key, groups.teachers)
    await put_policy(client, key, reply_only=[groups.students])

    refused(await write(client, student, teacher), "reply_only")
    first = await write(client, teacher, student)
    assert first.status_code == 201, first.text
    reply = await write(client, student, reply_to=first.json()["id"])
    assert reply.status_code == 201, reply.text
    assert reply.json()["receivers"] == [teacher.username]
    # A new message to the same teacher starts a conversation again.
    refused(await write(client, student, teacher), "reply_only")
    # A reply that brings in someone not in the thread starts one with them.
    refused(
        await write(client, student, teacher, colleague, reply_to=first.json()["id"]), "reply_only"
    )

    # Someone in the thread, though not in the message answered, may be answered.
    added = await write(client, teacher, student, colleague, reply_to=first.json()["id"])
    assert added.status_code == 201, added.text
    answer = await write(client, student, teacher, colleague, reply_to=first.json()["id"])
    assert answer.status_code == 201, answer.text


async def test_only_initiators_start_and_ungrouped_users_are_named_by_ungrouped(
    client, key, groups, dialect
) -> None:
    teacher, _ = await member(client, key, groups.teachers)
    registered = await make_user(client)  # no group: @ungrouped
    provisioned, _ = await member(client, key)  # no group either
    await put_policy(client, key, initiators=[groups.teachers])
    refused(await write(client, registered, teacher), "initiators")
    started = await write(client, teacher, registered)
    assert started.status_code == 201
    assert (await write(client, registered, reply_to=started.json()["id"])).status_code == 201

    await put_policy(client, key, initiators=[groups.teachers, "@ungrouped"])
    assert (await write(client, registered, provisioned)).status_code == 201
    await put_policy(client, key, initiators=[])  # nobody starts
    refused(await write(client, teacher, registered), "initiators")

    await put_policy(
        client,
        key,
        allow=[{"from": "@ungrouped", "to": "@ungrouped"}, {"from": "*", "to": groups.teachers}],
    )
    assert (await write(client, registered, provisioned)).status_code == 201
    assert (await write(client, provisioned, teacher)).status_code == 201
    refused(await write(client, teacher, registered), "allow")


async def test_a_note_to_oneself_passes_every_rule(client, key, groups, dialect) -> None:
    student, _ = await member(client, key, groups.students)
    await put_policy(client, key, initiators=[], deny=[{"from": "*", "to": "*"}])
    assert (await write(client, student, student)).status_code == 201


async def test_a_new_account_writes_to_so_many_new_contacts_a_day(
    app, client, key, groups, dialect
) -> None:
    newcomer, _ = await member(client, key, groups.students)
    contacts = [(await member(client, key, groups.teachers))[0] for _ in range(3)]
    friend, _ = await member(client, key, groups.students)
    await send(client, friend, newcomer)  # a user who wrote to them is no new contact
    await put_policy(client, key, new_accounts={"younger_than_days": 2, "contacts_per_day": 2})

    assert (await write(client, newcomer, contacts[0])).status_code == 201
    assert (await write(client, newcomer, contacts[1], friend)).status_code == 201
    assert (await write(client, newcomer, contacts[0])).status_code == 201  # counted once
    detail = refused(await write(client, newcomer, contacts[2]), "new_accounts")
    assert contacts[2].username not in detail
    assert (await write(client, newcomer, friend)).status_code == 201

    await age(app, newcomer.username, 3)  # no longer new: no limit
    assert (await write(client, newcomer, contacts[2])).status_code == 201


async def test_a_seed_a_write_meets_the_policy(client, key, groups, dialect) -> None:
    writer = await make_seed_a_user(client)  # registered: @ungrouped
    reader, _ = await member(client, key, groups.teachers)
    await put_policy(client, key, allow=[{"from": "*", "to": "@ungrouped"}])
    written = await seed_a(
        client,
        "POST",
        f"//message?{writer.credentials}&request=write",
        writer.message(reader.username),
    )
    refused(written, "allow")
    assert await inbox(client, reader) == []


async def test_the_server_send_answers_policy_denied_per_recipient(
    client, key, groups, dialect
) -> None:
    student, student_id = await member(client, key, groups.students)
    _, teacher_id = await member(client, key, groups.teachers)
    classmate, classmate_id = await member(client, key, groups.students)
    await put_policy(client, key, allow=[{"from": groups.students, "to": groups.teachers}])
    body = {"from": student_id, "subject": "s", "message": "m"}

    sent = await client.post(
        "/server/messages", json={**body, "to": [teacher_id, classmate_id]}, headers=key.headers
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["deliveries"] == [
        {"to": teacher_id, "status": "delivered"},
        {"to": classmate_id, "status": "policy_denied"},
    ]
    assert await inbox(client, classmate) == []

    every = await client.post(
        "/server/messages", json={**body, "to": [classmate_id]}, headers=key.headers
    )
    refused(every, "allow")

    # The platform passes every rule.
    await put_policy(client, key, initiators=[], deny=[{"from": "*", "to": "*"}])
    notice = await client.post(
        "/server/messages",
        json={"from": "system", "to": [classmate_id], "subject": "s", "message": "m"},
        headers=key.headers,
    )
    assert notice.status_code == 201, notice.text
    assert notice.json()["deliveries"] == [{"to": classmate_id, "status": "delivered"}]
    assert [m["sender"] for m in await inbox(client, student)] == []
