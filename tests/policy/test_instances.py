"""A policy change is seen by every instance at once (over Redis): the next send anywhere
meets the new rules, and a user's new groups, though both were remembered."""

from __future__ import annotations

import pytest

from tests.policy.conftest import instance, member, put_policy, refused, write

pytestmark = pytest.mark.anyio


async def test_a_policy_change_reaches_the_other_instance_at_once(
    settings, key, groups, redis_url, redis_prefix, dialect
) -> None:
    shared = {"redis_url": redis_url, "redis_prefix": redis_prefix}
    async with instance(settings, **shared) as (_, one), instance(settings, **shared) as (_, two):
        student, _ = await member(one, key, groups.students)
        teacher, teacher_id = await member(one, key, groups.teachers)
        for client in (one, two, one, two):  # both remember: no policy, and the groups
            assert (await write(client, student, teacher)).status_code == 201

        await put_policy(one, key, deny=[{"from": groups.students, "to": groups.teachers}])
        refused(await write(two, student, teacher), "deny[0]")
        refused(await write(one, student, teacher), "deny[0]")

        moved = await two.put(
            f"/server/users/{teacher_id}",
            json={"display_name": "Pat", "groups": [groups.staff]},
            headers=key.headers,
        )
        assert moved.status_code == 200, moved.text
        assert (await write(one, student, teacher)).status_code == 201

        await put_policy(two, key, initiators=[groups.staff])
        refused(await write(one, student, teacher), "initiators")
        await put_policy(one, key)
        assert (await write(two, student, teacher)).status_code == 201
