"""Request dependencies: the authenticated caller, its rights, and the write context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from application import access
from application.app import Jaga
from application.writes import Actor, Context
from infrastructure.keys import ApiKey, KeyStore
from interfaces.http.errors import forbidden, unauthorized
from interfaces.http.schemas import IDEMPOTENCY_KEY_PATTERN

bearer = HTTPBearer(auto_error=False, description="An API key from `jaga keys create`")


@dataclass
class Caller:
    """The key a request comes with, and the request's ids."""

    key: ApiKey
    app: Jaga
    request: Request
    idempotency_key: str | None = None
    client_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.key.key_id, name=self.key.name, role=self.key.role)

    @property
    def scope(self) -> access.Scope:
        return self.key.scope

    @property
    def role(self) -> str:
        return self.key.role

    def context(self, idempotency_key: str | None = None) -> Context:
        """Who runs the command, where they may act, and the write's key (a batch
        item's own, else the request's)."""
        return Context(
            actor=self.actor,
            correlation_id=self.request.state.correlation_id,
            idempotency_key=idempotency_key or self.idempotency_key,
            client_id=self.client_id,
            scope=self.scope,
        )

    def require_within(self, place: tuple[str | None, str | None], what: str) -> None:
        """Refuses (403) a site or unit outside the key's regions."""
        if not access.within(self.scope, *place):
            raise forbidden(
                f"{what} is outside this key's regions",
                scope=access.scope_text(self.scope),
            )

    def require_unscoped(self, what: str) -> None:
        if self.scope is not None:
            raise forbidden(
                f"{what} needs a key that is not limited to regions",
                scope=access.scope_text(self.scope),
            )


async def key_from_headers(request: Request) -> ApiKey | None:
    """The live key the headers carry (a Bearer key, or the dashboard's session and
    CSRF token), else None; reads no body."""
    scheme, _, secret = (request.headers.get("authorization") or "").partition(" ")
    if not secret and request.cookies.get("jaga_session"):
        # The dashboard's pages call the API with their session and CSRF token.
        from interfaces.web.csrf import session_key

        return await run_in_threadpool(session_key, request)
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    keys: KeyStore = request.app.state.keys
    # A key this server let in and has heard no revocation of since needs no
    # lookup, and so no hop to a worker thread.
    key = keys.remembered(secret.strip())
    if key is None:
        key = await run_in_threadpool(keys.authenticate, secret.strip())
    return key


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> ApiKey:
    # A write's key was checked before its body was read (interfaces/http/intake).
    key: ApiKey | None = getattr(request.state, "key", None)
    if key is None:
        key = await key_from_headers(request)
    if key is None:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise unauthorized("send an API key: Authorization: Bearer <key>")
        raise unauthorized("unknown or revoked API key")
    request.state.actor = key.key_id
    request.state.role = key.role
    return key


def _check_right(key: ApiKey, right: str) -> None:
    if not access.may(key.role, right):
        raise forbidden(
            f"the {key.role} role may not do this", role=key.role, right=right
        )


def reader(right: str) -> Callable[..., Awaitable[Caller]]:
    """A dependency that lets through keys whose role holds `right`."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        key = await _authenticate(request, credentials)
        _check_right(key, right)
        return Caller(key=key, app=request.app.state.jaga, request=request)

    dependency.right = right  # type: ignore[attr-defined]
    return dependency


def writer(right: str) -> Callable[..., Awaitable[Caller]]:
    """Like `reader`, and takes the write's Idempotency-Key and X-Client-Id."""

    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        idempotency_key: Annotated[
            str | None,
            Header(
                min_length=1,
                max_length=200,
                pattern=IDEMPOTENCY_KEY_PATTERN,
                description="A retry with the same key and body answers as the first "
                "did and writes nothing",
            ),
        ] = None,
        x_client_id: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Caller:
        key = await _authenticate(request, credentials)
        _check_right(key, right)
        return Caller(
            key=key,
            app=request.app.state.jaga,
            request=request,
            idempotency_key=idempotency_key,
            client_id=x_client_id,
        )

    dependency.right = right  # type: ignore[attr-defined]
    return dependency
