"""The robot's side of the LAN signaling: `/con_notify`, `/con_ing_<path>` (9991), `/offer` (8081).

The client asks `/con_notify` for the robot's RSA public key (wrapped in ten characters on
each side; the last ten encode the path of the next step, and with a per-device AES key
the whole is AES-GCM sealed: `data2` 3), then posts its SDP offer AES-ECB encrypted under a
fresh key that it RSA-wraps with that public key. Port 8081 takes the same offer as plain JSON.
"""

from __future__ import annotations

import base64
import json
import os
import random
import string
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from Crypto.Cipher import AES, PKCS1_v1_5
from Crypto.PublicKey import RSA
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CON_PORT, OFFER_PORT = 9991, 8081
PATH_LETTERS = "ABCDEFGHIJ"

# The offer's JSON in, the answer's JSON out ({"sdp", "type"}).
Answerer = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def _wrap_path(digits: str) -> str:
    """Ten characters whose every second one spells `digits` (five of them) in A-J."""
    return "".join(random.choice(string.ascii_lowercase) + PATH_LETTERS[int(d)] for d in digits)


def aes_ecb_encrypt(text: str, key: str) -> str:
    data = text.encode()
    pad = 16 - len(data) % 16
    cipher = AES.new(key.encode(), AES.MODE_ECB)
    return base64.b64encode(cipher.encrypt(data + bytes([pad]) * pad)).decode()


def aes_ecb_decrypt(text: str, key: str) -> str:
    plain = AES.new(key.encode(), AES.MODE_ECB).decrypt(base64.b64decode(text))
    return plain[: -plain[-1]].decode()


class Signaling:
    """The HTTP side of one simulated robot."""

    def __init__(self, answer: Answerer, *, aes_key: str | None = None) -> None:
        self._answer = answer
        self._aes_key = bytes.fromhex(aes_key) if aes_key else None
        # 1024 bits: enough for wrapping a 32-character key, quick to make at start.
        self._rsa = RSA.generate(1024)
        self._path = "".join(random.choice(string.digits) for _ in range(5))

    def con_notify_body(self) -> str:
        public_key = self._rsa.publickey()  # type: ignore[no-untyped-call]
        public = base64.b64encode(public_key.export_key("DER")).decode()
        data1 = "".join(random.choices(string.ascii_letters, k=10)) + public
        data1 += _wrap_path(self._path)
        data2 = 1
        if self._aes_key is not None:
            nonce = os.urandom(12)
            sealed = AESGCM(self._aes_key).encrypt(nonce, data1.encode(), None)
            data1 = base64.b64encode(sealed[:-16] + nonce + sealed[-16:]).decode()
            data2 = 3
        return base64.b64encode(json.dumps({"data1": data1, "data2": data2}).encode()).decode()

    def _unwrap_key(self, wrapped: str) -> str:
        raw = base64.b64decode(wrapped)
        size = self._rsa.size_in_bytes()
        cipher = PKCS1_v1_5.new(self._rsa)
        plain = b""
        for i in range(0, len(raw), size):
            chunk = cipher.decrypt(raw[i : i + size], None)
            if chunk is None:
                raise ValueError("the wrapped key does not decrypt")
            plain += chunk
        return plain.decode()

    async def con_notify(self, request: web.Request) -> web.Response:
        return web.Response(text=self.con_notify_body())

    async def con_ing(self, request: web.Request) -> web.Response:
        if request.match_info["path"] != self._path:
            return web.Response(status=404)
        try:
            body = json.loads(await request.text())
            key = self._unwrap_key(body["data2"])
            offer = json.loads(aes_ecb_decrypt(body["data1"], key))
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        answer = await self._answer(offer)
        return web.Response(text=aes_ecb_encrypt(json.dumps(answer), key))

    async def offer(self, request: web.Request) -> web.Response:
        try:
            offer = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400)
        return web.json_response(await self._answer(offer))

    def apps(self) -> tuple[web.Application, web.Application]:
        """The application on port 9991, and the one on 8081."""
        con = web.Application()
        con.router.add_post("/con_notify", self.con_notify)
        con.router.add_post(r"/con_ing_{path:\d+}", self.con_ing)
        legacy = web.Application()
        legacy.router.add_post("/offer", self.offer)
        return con, legacy
