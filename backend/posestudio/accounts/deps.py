"""The accounts' request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from posestudio.accounts.service import Accounts


def get_accounts(request: Request) -> Accounts:
    accounts: Accounts = request.app.state.accounts
    return accounts


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


AccountsDep = Annotated[Accounts, Depends(get_accounts)]
ClientDep = Annotated[str | None, Depends(client_address)]
