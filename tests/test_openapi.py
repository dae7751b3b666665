"""The OpenAPI document: operation ids pinned, problem codes from the registry."""

from __future__ import annotations

from typing import Any

import pytest

from mailslot.app import create_app
from mailslot.config import Settings
from mailslot.errors import CODES

# Generated clients name their methods after the operation ids: an id is API, like a code.
# A new route adds its line; a line never changes.
OPERATIONS = {
    ("POST", "/users/{username}/exports", "post_export"),
    ("GET", "/users/{username}/exports", "list_exports"),
    ("GET", "/users/{username}/exports/{export_id}", "get_export"),
    ("GET", "/exports/{export_id}/archive", "get_export_archive"),
    ("POST", "/server/users/{external_id}/exports", "post_server_user_export"),
    ("GET", "/server/users/{external_id}/exports/{export_id}", "get_server_user_export"),
    ("POST", "//login", "seed_a_post_login"),
    ("POST", "//logout", "seed_a_post_logout"),
    ("GET", "//message", "seed_a_get_message"),
    ("POST", "//message", "seed_a_post_message"),
    ("GET", "//messages", "seed_a_list_messages"),
    ("POST", "//signup", "seed_a_post_signup"),
    ("GET", "/healthz", "get_healthz"),
    ("GET", "/readyz", "get_readyz"),
    ("POST", "/token", "post_oauth_token"),
    ("POST", "/users", "post_user"),
    ("GET", "/users/{username}", "get_user"),
    ("PATCH", "/users/{username}", "patch_user"),
    ("GET", "/users/{username}/changes", "list_changes"),
    ("GET", "/users/{username}/events", "get_events"),
    ("GET", "/users/{username}/messages", "list_messages"),
    ("PATCH", "/users/{username}/messages", "patch_messages"),
    ("POST", "/users/{username}/messages", "post_message"),
    ("DELETE", "/users/{username}/messages/{message_id}", "delete_message"),
    ("GET", "/users/{username}/messages/{message_id}", "get_message"),
    ("PATCH", "/users/{username}/messages/{message_id}", "patch_message"),
    ("POST", "/users/{username}/messages/{message_id}/restore", "restore_message"),
    ("POST", "/users/{username}/stream-tickets", "post_stream_ticket"),
    ("GET", "/server/key", "get_server_key"),
    ("PUT", "/server/users/{external_id}", "put_server_user"),
    ("GET", "/server/users/{external_id}", "get_server_user"),
    ("POST", "/server/users/batch", "post_server_users_batch"),
    ("POST", "/server/users/{external_id}/deactivate", "deactivate_server_user"),
    ("DELETE", "/server/users/{external_id}", "delete_server_user"),
    ("POST", "/server/users/{external_id}/reactivate", "reactivate_server_user"),
    ("GET", "/server/users/{external_id}/hold", "get_server_user_hold"),
    ("PUT", "/server/users/{external_id}/hold", "put_server_user_hold"),
    ("DELETE", "/server/users/{external_id}/hold", "delete_server_user_hold"),
    ("POST", "/server/users/{external_id}/tokens", "post_server_user_token"),
    ("GET", "/server/users/{external_id}/tokens", "list_server_user_tokens"),
    ("DELETE", "/server/users/{external_id}/tokens", "delete_server_user_tokens"),
    ("DELETE", "/server/users/{external_id}/tokens/{token_id}", "delete_server_user_token"),
    ("GET", "/server/users/{external_id}/messages", "list_server_user_messages"),
    ("GET", "/server/messages/{message_id}", "get_server_message"),
    ("GET", "/server/audit", "list_server_audit"),
    ("GET", "/users/{username}/access-log", "list_access_log"),
    ("POST", "/server/messages", "post_server_message"),
    ("PUT", "/server/policy/messaging", "put_messaging_policy"),
    ("GET", "/server/policy/messaging", "get_messaging_policy"),
    ("POST", "/server/contexts", "post_server_context"),
    ("GET", "/server/system/messages", "list_system_messages"),
    ("GET", "/server/webhooks/{webhook_id}/deliveries", "list_server_webhook_deliveries"),
    (
        "GET",
        "/server/webhooks/{webhook_id}/deliveries/{event_id}",
        "get_server_webhook_delivery",
    ),
    (
        "POST",
        "/server/webhooks/{webhook_id}/deliveries/{event_id}/redeliver",
        "redeliver_server_webhook_delivery",
    ),
    ("POST", "/server/webhooks/{webhook_id}/replay", "post_server_webhook_replay"),
    ("GET", "/server/jobs/{job_id}", "get_server_job"),
    ("GET", "/users/{username}/threads/{thread_id}", "get_thread"),
    ("GET", "/users/{username}/threads", "list_threads"),
    ("GET", "/users/{username}/contacts", "list_contacts"),
    ("DELETE", "/users/{username}/tokens", "delete_tokens"),
    ("DELETE", "/users/{username}/token", "delete_token"),
    ("DELETE", "/users/{username}", "delete_user"),
    ("POST", "/users/{username}/token", "post_token"),
    ("GET", "/users/{username}/unread", "get_unread"),
    ("POST", "/server/webhooks", "post_server_webhook"),
    ("GET", "/server/webhooks", "list_server_webhooks"),
    ("GET", "/server/webhooks/{webhook_id}", "get_server_webhook"),
    ("PATCH", "/server/webhooks/{webhook_id}", "patch_server_webhook"),
    ("DELETE", "/server/webhooks/{webhook_id}", "delete_server_webhook"),
    ("POST", "/server/webhooks/{webhook_id}/rotate-secret", "rotate_server_webhook_secret"),
    ("GET", "/users/{username}/blocks", "list_blocks"),
    ("PUT", "/users/{username}/blocks/{other}", "put_block"),
    ("DELETE", "/users/{username}/blocks/{other}", "delete_block"),
    ("POST", "/users/{username}/messages/{message_id}/report", "post_report"),
    ("GET", "/server/reports", "list_server_reports"),
    ("GET", "/server/reports/{report_id}", "get_server_report"),
    ("POST", "/server/reports/{report_id}/resolve", "resolve_server_report"),
    ("GET", "/server/users/{external_id}/sanctions", "get_server_user_sanctions"),
    ("PUT", "/server/users/{external_id}/sanctions", "put_server_user_sanctions"),
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app(Settings()).openapi()


def test_problem_codes_are_the_registry(spec: dict[str, Any]) -> None:
    codes = spec["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
    assert codes == [code for code, declared in CODES.items() if not declared.websocket_only]


def test_each_problem_response_names_the_codes_of_its_status(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                for code, declared in CODES.items():
                    if declared.status == int(status) and not declared.reserved:
                        named = f"`{code}`" in response["description"]
                        assert named == (path.startswith("//") or not declared.seed_a), (
                            path,
                            status,
                            code,
                        )


def test_operation_ids_are_the_route_names_and_never_change(spec: dict[str, Any]) -> None:
    operations = {
        (method.upper(), path, operation["operationId"])
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert operations == OPERATIONS
