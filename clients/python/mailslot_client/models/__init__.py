"""Contains all the data models used in inputs/outputs"""

from .body_post_oauth_token import BodyPostOauthToken
from .bulk_result import BulkResult
from .change_event import ChangeEvent
from .change_event_data import ChangeEventData
from .change_event_type import ChangeEventType
from .change_page import ChangePage
from .context_create import ContextCreate
from .context_create_data_type_0 import ContextCreateDataType0
from .context_read import ContextRead
from .context_read_data_type_0 import ContextReadDataType0
from .delete_message_permanent_type_1 import DeleteMessagePermanentType1
from .get_message_mark_read_type_1 import GetMessageMarkReadType1
from .health import Health
from .key_read import KeyRead
from .list_messages_box import ListMessagesBox
from .list_messages_unread_type_1 import ListMessagesUnreadType1
from .message_create import MessageCreate
from .message_page import MessagePage
from .message_read import MessageRead
from .message_update import MessageUpdate
from .message_update_read_type_1 import MessageUpdateReadType1
from .messages_update import MessagesUpdate
from .messages_update_all_type_1 import MessagesUpdateAllType1
from .messages_update_read_type_1 import MessagesUpdateReadType1
from .problem import Problem
from .problem_code import ProblemCode
from .problem_errors_type_0_item import ProblemErrorsType0Item
from .scope import Scope
from .seed_a_deletion import SeedADeletion
from .seed_a_deletion_deleted_for import SeedADeletionDeletedFor
from .seed_a_message import SeedAMessage
from .seed_a_message_body import SeedAMessageBody
from .seed_a_session import SeedASession
from .stream_ticket_read import StreamTicketRead
from .thread_page import ThreadPage
from .thread_unread import ThreadUnread
from .token_create import TokenCreate
from .token_read import TokenRead
from .unread_count import UnreadCount
from .user_create import UserCreate
from .user_public import UserPublic
from .user_read import UserRead
from .user_update import UserUpdate

__all__ = (
    "BodyPostOauthToken",
    "BulkResult",
    "ChangeEvent",
    "ChangeEventData",
    "ChangeEventType",
    "ChangePage",
    "ContextCreate",
    "ContextCreateDataType0",
    "ContextRead",
    "ContextReadDataType0",
    "DeleteMessagePermanentType1",
    "GetMessageMarkReadType1",
    "Health",
    "KeyRead",
    "ListMessagesBox",
    "ListMessagesUnreadType1",
    "MessageCreate",
    "MessagePage",
    "MessageRead",
    "MessagesUpdate",
    "MessagesUpdateAllType1",
    "MessagesUpdateReadType1",
    "MessageUpdate",
    "MessageUpdateReadType1",
    "Problem",
    "ProblemCode",
    "ProblemErrorsType0Item",
    "Scope",
    "SeedADeletion",
    "SeedADeletionDeletedFor",
    "SeedAMessage",
    "SeedAMessageBody",
    "SeedASession",
    "StreamTicketRead",
    "ThreadPage",
    "ThreadUnread",
    "TokenCreate",
    "TokenRead",
    "UnreadCount",
    "UserCreate",
    "UserPublic",
    "UserRead",
    "UserUpdate",
)
