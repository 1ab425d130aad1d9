"""Phone pairing: an operator makes a short-lived code (shown as a QR code), a phone
claims it once for a token that may only stream (docs/security.md, "Paired phones")."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from posestudio.accounts.deps import AccountsDep, ClientDep
from posestudio.deps import SettingsDep
from posestudio.errors import NotFound
from posestudio.pairing.tls import lan_addresses
from posestudio.settings import Settings
from posestudio_core.auth import Principal
from posestudio_core.deps import public, require
from posestudio_core.permissions import Action

router = APIRouter(prefix="/api/pairing", tags=["pairing"])

Pairer = Annotated[Principal, Depends(require(Action.PAIRING_CREATE))]
Code = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


class PairingCreated(BaseModel):
    code: str
    # What the QR code carries: the studio's capture page on this host's LAN address.
    url: str
    expires_at: datetime
    # False: the URL is plain http, where a phone's browser refuses the camera.
    secure: bool


class PairingClaimed(BaseModel):
    token: str
    expires_at: datetime
    scopes: list[str]
    display_name: str | None


def _iso(unix_s: float) -> datetime:
    return datetime.fromtimestamp(unix_s, UTC)


def _base_url(request: Request, settings: Settings) -> str:
    if settings.pairing_base_url:
        return settings.pairing_base_url.rstrip("/")
    url = request.url
    host = url.hostname or "localhost"
    if host in LOOPBACK_NAMES:
        # The laptop's browser may say localhost; the phone needs an address it can reach.
        host = next(iter(lan_addresses()), host)
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass
    scheme = "https" if settings.https else url.scheme
    port = f":{url.port}" if url.port else ""
    return f"{scheme}://{host}{port}"


@router.post("", status_code=201)
def create_pairing(
    principal: Pairer, request: Request, settings: SettingsDep, accounts: AccountsDep
) -> PairingCreated:
    """A single-use pairing code for a phone, valid for `pairing_code_seconds`."""
    entry = accounts.pairing.create(principal)
    url = f"{_base_url(request, settings)}/#/capture?code={entry.code}"
    return PairingCreated(
        code=entry.code,
        url=url,
        expires_at=_iso(entry.expires_at),
        secure=url.startswith("https://"),
    )


@router.post("/{code}/claim", dependencies=[Depends(public)])
def claim_pairing(code: Code, accounts: AccountsDep, client: ClientDep) -> PairingClaimed:
    """The phone's stream-only token for a live pairing code (the code is spent)."""
    phone = accounts.pairing.claim(code, client)
    return PairingClaimed(
        token=phone.token,
        expires_at=_iso(phone.expires_at),
        scopes=sorted(phone.principal.scopes or ()),
        display_name=phone.principal.display_name,
    )


@router.get("/ca.pem", dependencies=[Depends(public)], response_class=Response)
def local_ca(settings: SettingsDep) -> Response:
    """The local certificate authority's certificate, to install on a phone (public data)."""
    path = settings.data_dir / "tls" / "ca.pem"
    if not settings.https or settings.tls_cert_file is not None or not path.is_file():
        raise NotFound("this server uses no local certificate authority")
    return Response(
        path.read_bytes(),
        media_type="application/x-x509-ca-cert",
        headers={"Content-Disposition": 'attachment; filename="pose-studio-ca.pem"'},
    )
