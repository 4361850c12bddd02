"""Bearer-token authentication of writes. Tokens are named, so one partner's can be revoked
alone; secrets are compared in constant time and never logged."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from service.api.deps import SettingsDep

logger = logging.getLogger(__name__)

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="border21"'}


def require_writer(request: Request, settings: SettingsDep) -> str:
    """The name of the token that authorises this write; 401 without one, 403 if wrong."""
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise HTTPException(401, "a write needs Authorization: Bearer <token>", headers=CHALLENGE)
    presented_bytes = presented.strip().encode("utf-8")
    matched = None
    for name, secret in settings.write_tokens().items():
        # compare with every token, so the time taken does not tell which one came close
        if hmac.compare_digest(presented_bytes, secret.encode("utf-8")):
            matched = name
    if matched is None:
        logger.warning("event=write_refused path=%s reason=wrong_token", request.url.path)
        raise HTTPException(403, "the token is not valid for writing", headers=CHALLENGE)
    request.state.writer = matched
    return matched


WriterDep = Annotated[str, Depends(require_writer)]
