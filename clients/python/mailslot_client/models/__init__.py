"""Contains all the data models used in inputs/outputs"""

from .access_log_entry import AccessLogEntry
from .access_log_page import AccessLogPage
from .account_delete import AccountDelete
from .audit_page import AuditPage
from .audit_record import AuditRecord
from .audit_record_query_type_0 import AuditRecordQueryType0
from .batch_item_result import BatchItemResult
from .batch_item_result_outcome_type_0 import BatchItemResultOutcomeType0
from .block_list import BlockList
from .block_read import BlockRead
from .body_post_oauth_token import BodyPostOauthToken
from .bulk_result import BulkResult
from .change_event import ChangeEvent
from .change_event_data import ChangeEventData
from .change_event_type import ChangeEventType
from .change_page import ChangePage
from .contact_list import ContactList
from .context_create import ContextCreate
from .context_create_data_type_0 import ContextCreateDataType0
from .context_read import ContextRead
from .context_read_data_type_0 import ContextReadDataType0
from .context_token import ContextToken
from .context_token_create import ContextTokenCreate
from .context_token_create_data_type_0 import ContextTokenCreateDataType0
from .delete_message_permanent_type_1 import DeleteMessagePermanentType1
from .delete_server_user_mode_type_0 import DeleteServerUserModeType0
from .delivery import Delivery
from .delivery_read import DeliveryRead
from .delivery_read_box_type_0 import DeliveryReadBoxType0
from .delivery_status import DeliveryStatus
from .erasure_read import ErasureRead
from .erasure_read_counts import ErasureReadCounts
from .erasure_read_mode import ErasureReadMode
from .export_list import ExportList
from .export_progress import ExportProgress
from .export_read import ExportRead
from .export_read_state import ExportReadState
from .external_user_batch import ExternalUserBatch
from .external_user_batch_item import ExternalUserBatchItem
from .external_user_batch_item_custom_type_0 import ExternalUserBatchItemCustomType0
from .external_user_batch_result import ExternalUserBatchResult
from .external_user_put import ExternalUserPut
from .external_user_put_custom_type_0 import ExternalUserPutCustomType0
from .external_user_read import ExternalUserRead
from .external_user_read_custom_type_0 import ExternalUserReadCustomType0
from .external_user_written import ExternalUserWritten
from .external_user_written_custom_type_0 import ExternalUserWrittenCustomType0
from .external_user_written_outcome import ExternalUserWrittenOutcome
from .get_message_mark_read_type_1 import GetMessageMarkReadType1
from .health import Health
from .held_read import HeldRead
from .job_read import JobRead
from .job_read_params import JobReadParams
from .job_read_status import JobReadStatus
from .key_read import KeyRead
from .legal_hold_put import LegalHoldPut
from .legal_hold_read import LegalHoldRead
from .list_messages_box import ListMessagesBox
from .list_messages_unread_type_1 import ListMessagesUnreadType1
from .list_server_reports_state_type_0 import ListServerReportsStateType0
from .list_server_user_messages_box import ListServerUserMessagesBox
from .list_server_user_messages_unread_type_1 import ListServerUserMessagesUnreadType1
from .list_server_webhook_deliveries_event_type_type_0 import ListServerWebhookDeliveriesEventTypeType0
from .list_server_webhook_deliveries_status_type_0 import ListServerWebhookDeliveriesStatusType0
from .list_system_messages_box import ListSystemMessagesBox
from .message_create import MessageCreate
from .message_page import MessagePage
from .message_read import MessageRead
from .message_update import MessageUpdate
from .message_update_read_type_1 import MessageUpdateReadType1
from .messages_update import MessagesUpdate
from .messages_update_all_type_1 import MessagesUpdateAllType1
from .messages_update_read_type_1 import MessagesUpdateReadType1
from .messaging_policy_put import MessagingPolicyPut
from .messaging_policy_read import MessagingPolicyRead
from .minted_token_read import MintedTokenRead
from .minted_token_read_scopes_item import MintedTokenReadScopesItem
from .new_accounts_rule import NewAccountsRule
from .pair_rule import PairRule
from .person import Person
from .person_read import PersonRead
from .problem import Problem
from .problem_code import ProblemCode
from .problem_errors_type_0_item import ProblemErrorsType0Item
from .replay_create import ReplayCreate
from .replay_create_event_types_type_0_item import ReplayCreateEventTypesType0Item
from .report_create import ReportCreate
from .report_create_reason import ReportCreateReason
from .report_created import ReportCreated
from .report_created_state import ReportCreatedState
from .report_page import ReportPage
from .report_read import ReportRead
from .report_read_action_type_0 import ReportReadActionType0
from .report_read_reason import ReportReadReason
from .report_read_state import ReportReadState
from .report_resolve import ReportResolve
from .report_resolve_action import ReportResolveAction
from .reported_message import ReportedMessage
from .sanction_change_read import SanctionChangeRead
from .sanction_change_read_kind import SanctionChangeReadKind
from .sanctions_read import SanctionsRead
from .sanctions_update import SanctionsUpdate
from .scope import Scope
from .seed_a_deletion import SeedADeletion
from .seed_a_deletion_deleted_for import SeedADeletionDeletedFor
from .seed_a_message import SeedAMessage
from .seed_a_message_body import SeedAMessageBody
from .seed_a_session import SeedASession
from .server_message_create import ServerMessageCreate
from .server_message_read import ServerMessageRead
from .server_message_sent import ServerMessageSent
from .signed_out_everywhere import SignedOutEverywhere
from .stream_ticket_read import StreamTicketRead
from .thread_list import ThreadList
from .thread_page import ThreadPage
from .thread_summary import ThreadSummary
from .thread_unread import ThreadUnread
from .token_create import TokenCreate
from .token_info_read import TokenInfoRead
from .token_info_read_scopes_item import TokenInfoReadScopesItem
from .token_list import TokenList
from .token_mint import TokenMint
from .token_mint_scopes_item import TokenMintScopesItem
from .token_read import TokenRead
from .tokens_revoked import TokensRevoked
from .unread_count import UnreadCount
from .user_create import UserCreate
from .user_public import UserPublic
from .user_read import UserRead
from .user_update_type_0 import UserUpdateType0
from .user_update_type_1 import UserUpdateType1
from .webhook_attempt_read import WebhookAttemptRead
from .webhook_delivery_detail_read import WebhookDeliveryDetailRead
from .webhook_delivery_detail_read_status import WebhookDeliveryDetailReadStatus
from .webhook_delivery_page import WebhookDeliveryPage
from .webhook_delivery_read import WebhookDeliveryRead
from .webhook_delivery_read_status import WebhookDeliveryReadStatus
from .webhook_endpoint_create import WebhookEndpointCreate
from .webhook_endpoint_create_event_types_item import WebhookEndpointCreateEventTypesItem
from .webhook_endpoint_page import WebhookEndpointPage
from .webhook_endpoint_read import WebhookEndpointRead
from .webhook_endpoint_update import WebhookEndpointUpdate
from .webhook_endpoint_update_event_types_item import WebhookEndpointUpdateEventTypesItem
from .webhook_endpoint_with_secret import WebhookEndpointWithSecret
from .webhook_event_body import WebhookEventBody
from .webhook_event_body_data_type_0 import WebhookEventBodyDataType0
from .webhook_secret_rotate import WebhookSecretRotate

__all__ = (
    "AccessLogEntry",
    "AccessLogPage",
    "AccountDelete",
    "AuditPage",
    "AuditRecord",
    "AuditRecordQueryType0",
    "BatchItemResult",
    "BatchItemResultOutcomeType0",
    "BlockList",
    "BlockRead",
    "BodyPostOauthToken",
    "BulkResult",
    "ChangeEvent",
    "ChangeEventData",
    "ChangeEventType",
    "ChangePage",
    "ContactList",
    "ContextCreate",
    "ContextCreateDataType0",
    "ContextRead",
    "ContextReadDataType0",
    "ContextToken",
    "ContextTokenCreate",
    "ContextTokenCreateDataType0",
    "DeleteMessagePermanentType1",
    "DeleteServerUserModeType0",
    "Delivery",
    "DeliveryRead",
    "DeliveryReadBoxType0",
    "DeliveryStatus",
    "ErasureRead",
    "ErasureReadCounts",
    "ErasureReadMode",
    "ExportList",
    "ExportProgress",
    "ExportRead",
    "ExportReadState",
    "ExternalUserBatch",
    "ExternalUserBatchItem",
    "ExternalUserBatchItemCustomType0",
    "ExternalUserBatchResult",
    "ExternalUserPut",
    "ExternalUserPutCustomType0",
    "ExternalUserRead",
    "ExternalUserReadCustomType0",
    "ExternalUserWritten",
    "ExternalUserWrittenCustomType0",
    "ExternalUserWrittenOutcome",
    "GetMessageMarkReadType1",
    "Health",
    "HeldRead",
    "JobRead",
    "JobReadParams",
    "JobReadStatus",
    "KeyRead",
    "LegalHoldPut",
    "LegalHoldRead",
    "ListMessagesBox",
    "ListMessagesUnreadType1",
    "ListServerReportsStateType0",
    "ListServerUserMessagesBox",
    "ListServerUserMessagesUnreadType1",
    "ListServerWebhookDeliveriesEventTypeType0",
    "ListServerWebhookDeliveriesStatusType0",
    "ListSystemMessagesBox",
    "MessageCreate",
    "MessagePage",
    "MessageRead",
    "MessagesUpdate",
    "MessagesUpdateAllType1",
    "MessagesUpdateReadType1",
    "MessageUpdate",
    "MessageUpdateReadType1",
    "MessagingPolicyPut",
    "MessagingPolicyRead",
    "MintedTokenRead",
    "MintedTokenReadScopesItem",
    "NewAccountsRule",
    "PairRule",
    "Person",
    "PersonRead",
    "Problem",
    "ProblemCode",
    "ProblemErrorsType0Item",
    "ReplayCreate",
    "ReplayCreateEventTypesType0Item",
    "ReportCreate",
    "ReportCreated",
    "ReportCreatedState",
    "ReportCreateReason",
    "ReportedMessage",
    "ReportPage",
    "ReportRead",
    "ReportReadActionType0",
    "ReportReadReason",
    "ReportReadState",
    "ReportResolve",
    "ReportResolveAction",
    "SanctionChangeRead",
    "SanctionChangeReadKind",
    "SanctionsRead",
    "SanctionsUpdate",
    "Scope",
    "SeedADeletion",
    "SeedADeletionDeletedFor",
    "SeedAMessage",
    "SeedAMessageBody",
    "SeedASession",
    "ServerMessageCreate",
    "ServerMessageRead",
    "ServerMessageSent",
    "SignedOutEverywhere",
    "StreamTicketRead",
    "ThreadList",
    "ThreadPage",
    "ThreadSummary",
    "ThreadUnread",
    "TokenCreate",
    "TokenInfoRead",
    "TokenInfoReadScopesItem",
    "TokenList",
    "TokenMint",
    "TokenMintScopesItem",
    "TokenRead",
    "TokensRevoked",
    "UnreadCount",
    "UserCreate",
    "UserPublic",
    "UserRead",
    "UserUpdateType0",
    "UserUpdateType1",
    "WebhookAttemptRead",
    "WebhookDeliveryDetailRead",
    "WebhookDeliveryDetailReadStatus",
    "WebhookDeliveryPage",
    "WebhookDeliveryRead",
    "WebhookDeliveryReadStatus",
    "WebhookEndpointCreate",
    "WebhookEndpointCreateEventTypesItem",
    "WebhookEndpointPage",
    "WebhookEndpointRead",
    "WebhookEndpointUpdate",
    "WebhookEndpointUpdateEventTypesItem",
    "WebhookEndpointWithSecret",
    "WebhookEventBody",
    "WebhookEventBodyDataType0",
    "WebhookSecretRotate",
)
