"""`posestudio users create` and `posestudio tokens create`: accounts without the studio."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from posestudio_cli.db import open_database

users_app = typer.Typer(help="People with accounts.")
tokens_app = typer.Typer(help="API tokens for `posestudio stream`, the bench, services.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _fail(exc: Exception) -> typer.Exit:
    from posestudio.errors import PoseStudioError

    if isinstance(exc, PoseStudioError):
        typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


@users_app.command("create")
def create_user(
    email: Annotated[str, typer.Argument(help="Sign-in email")],
    role: Annotated[str, typer.Option(help="admin, operator or viewer")] = "viewer",
    name: Annotated[str | None, typer.Option(help="Display name (default: the email)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
) -> None:
    """Create an account (the password is asked for, or read from stdin)."""
    from pydantic import ValidationError

    from posestudio.accounts import users
    from posestudio.accounts.models import UserCreate
    from posestudio.errors import PoseStudioError

    password = _read_password(password_stdin)
    database = open_database()
    try:
        database.upgrade()
        data = UserCreate.model_validate(
            {"email": email, "display_name": name or email, "role": role, "password": password}
        )
        with database.session() as session:
            user = users.create_user(session=session, data=data, actor="cli")
    except (PoseStudioError, ValidationError) as exc:
        raise _fail(exc) from None
    finally:
        database.close()
    typer.echo(f"created {user.role} {user.email} ({user.subject})")


@tokens_app.command("create")
def create_token(
    email: Annotated[str, typer.Argument(help="The owner's email")],
    name: Annotated[str, typer.Option(help="What the token is for")] = "cli",
    role: Annotated[str | None, typer.Option(help="Role (default: the owner's)")] = None,
    days: Annotated[float | None, typer.Option(help="Expire after this many days")] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="Limit the token to this action (repeatable), e.g. robot.serve"),
    ] = None,
) -> None:
    """Create an API token for a person and print it (it is shown only this once)."""
    from pydantic import ValidationError

    from posestudio.accounts import tokens, users
    from posestudio.accounts.errors import UnknownUser
    from posestudio.accounts.models import ApiTokenCreate
    from posestudio.errors import PoseStudioError

    database = open_database()
    try:
        database.upgrade()
        expires = datetime.now(UTC) + timedelta(days=days) if days else None
        data = ApiTokenCreate.model_validate(
            {"name": name, "role": role, "expires_at": expires, "scopes": scope or None}
        )
        with database.session() as session:
            owner = users.find_user_by_email(session=session, email=email)
            if owner is None:
                raise UnknownUser(f"no account for {email}")
            created = tokens.create_token(session=session, owner=owner, data=data, actor="cli")
    except (PoseStudioError, ValidationError) as exc:
        raise _fail(exc) from None
    finally:
        database.close()
    typer.echo(created.token)
