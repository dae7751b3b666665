from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.token_mint_scopes_item import TokenMintScopesItem, check_token_mint_scopes_item
from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenMint")


@_attrs_define
class TokenMint:
    """
    Attributes:
        ttl_seconds (int | Unset): Seconds the token lives: 3600 unless given, 2592000 (30 days) at most. Default: 3600.
        scopes (list[TokenMintScopesItem] | Unset): `read` lists, reads and streams; `write` (which implies `read`) also
            sends, marks, deletes and edits the profile. Both unless given; `["read"]` makes a read-only token.
        label (None | str | Unset): Your note about the token (`web`, `support widget`), shown in lists.
    """

    ttl_seconds: int | Unset = 3600
    scopes: list[TokenMintScopesItem] | Unset = UNSET
    label: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        ttl_seconds = self.ttl_seconds

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item: str = scopes_item_data
                scopes.append(scopes_item)

        label: None | str | Unset
        if isinstance(self.label, Unset):
            label = UNSET
        else:
            label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if ttl_seconds is not UNSET:
            field_dict["ttl_seconds"] = ttl_seconds
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ttl_seconds = d.pop("ttl_seconds", UNSET)

        _scopes = d.pop("scopes", UNSET)
        scopes: list[TokenMintScopesItem] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = check_token_mint_scopes_item(scopes_item_data)

                scopes.append(scopes_item)

        def _parse_label(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        label = _parse_label(d.pop("label", UNSET))

        token_mint = cls(
            ttl_seconds=ttl_seconds,
            scopes=scopes,
            label=label,
        )

        return token_mint
