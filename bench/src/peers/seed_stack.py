"""The seed walkthrough's stack for the bench, rebuilt as two FastAPI apps (one uvicorn process each).

- ``seed_stack:auth``: the forward-auth check nginx's ``auth_request`` calls. ``Authorization: Bearer <AUTH_TOKEN>``
  (default ``foobar``) gives 200 with ``X-Auth-User: alice``; anything else gives 401 with a JSON ``detail``.
- ``seed_stack:backend``: ``GET /{name}`` answers a small JSON document naming the path and the user nginx passed on.

Written the way a FastAPI user would (a security dependency, a Pydantic response model), since what the bench
compares is the cost of such a stack, not of the smallest possible Python server. Started by bench/src/seed-stack.ts:
``python3 -m uvicorn --app-dir bench/src/peers seed_stack:auth --port <port>``.
"""

import os
from typing import Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

EXPECTED_TOKEN = os.environ.get("AUTH_TOKEN", "foobar")

auth = FastAPI(title="Bench forward auth", docs_url=None, redoc_url=None, openapi_url=None)
backend = FastAPI(title="Bench backend", docs_url=None, redoc_url=None, openapi_url=None)

# auto_error=False: a missing header is ours to refuse with 401 (FastAPI's own refusal would be 403).
bearer = HTTPBearer(auto_error=False)


class Decision(BaseModel):
    status: str


class Named(BaseModel):
    title: str
    path: str
    user: Optional[str]


def authenticated_user(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> str:
    if credentials is None or credentials.credentials != EXPECTED_TOKEN:
        raise HTTPException(status_code=401, detail="Invalid Token", headers={"WWW-Authenticate": "Bearer"})
    return "alice"


@auth.get("/auth", response_model=Decision)
async def check(response: Response, user: str = Depends(authenticated_user)) -> Decision:
    response.headers["X-Auth-User"] = user
    return Decision(status="ok")


@backend.get("/{name}", response_model=Named)
async def named(name: str, x_auth_user: Optional[str] = Header(default=None)) -> Named:
    return Named(title=backend.title, path=name, user=x_auth_user)
