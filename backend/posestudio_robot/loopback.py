"""ICE on loopback: aioice leaves 127.0.0.1 out of its host candidates; the simulator needs it.

Applied by the simulator always, and by the service with `ice_loopback` (a simulator on
this host). Process-wide, like the package's own patches, so only ever in our processes.
"""

from __future__ import annotations

LOOPBACK = "127.0.0.1"


def patch_ice_loopback() -> None:
    """Make aioice offer 127.0.0.1 as its only host candidate."""
    import aioice.ice

    def loopback_only(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [LOOPBACK] if use_ipv4 else []

    aioice.ice.get_host_addresses = loopback_only
