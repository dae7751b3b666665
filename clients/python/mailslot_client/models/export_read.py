from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.export_read_state import ExportReadState, check_export_read_state

if TYPE_CHECKING:
    from ..models.export_progress import ExportProgress


T = TypeVar("T", bound="ExportRead")


@_attrs_define
class ExportRead:
    """
    Attributes:
        id (str): `exp_...`
        state (ExportReadState):
        progress (ExportProgress):
        created_at (datetime.datetime):
        download_url (None | str): Once done: where to download the zip archive, relative to the API's root; it needs no
            bearer token (a browser can follow it) and works until `expires_at`. Null before, and after.
        expires_at (datetime.datetime | None): When the archive and its link are removed; null until done.
    """

    id: str
    state: ExportReadState
    progress: ExportProgress
    created_at: datetime.datetime
    download_url: None | str
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        state: str = self.state

        progress = self.progress.to_dict()

        created_at = self.created_at.isoformat()

        download_url: None | str
        download_url = self.download_url

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "state": state,
                "progress": progress,
                "created_at": created_at,
                "download_url": download_url,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.export_progress import ExportProgress  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        state = check_export_read_state(d.pop("state"))

        progress = ExportProgress.from_dict(d.pop("progress"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_download_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        download_url = _parse_download_url(d.pop("download_url"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        export_read = cls(
            id=id,
            state=state,
            progress=progress,
            created_at=created_at,
            download_url=download_url,
            expires_at=expires_at,
        )

        export_read.additional_properties = d
        return export_read

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
