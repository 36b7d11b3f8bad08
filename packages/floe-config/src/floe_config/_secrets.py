"""Values from the environment: where each came from, and keeping secret ones out of sight.

floe follows the convention of Dagster (``EnvVar``), dbt (``env_var()``, ``DBT_ENV_SECRET_``)
and Dagster run config (``{env: NAME}``): a value that comes from the environment travels as
its variable's name, and only the process that needs it resolves it.

- ``repr()`` and ``str()`` of a FloeConfig show every such value as its placeholder
  (``'${CATALOG_TOKEN}'``), never its value.
- Error messages name the variable and the key; they show the value only when neither the key
  nor any variable in it looks secret (``looks_secret``). Secret values are redacted from the
  text of every floe error, wherever the value appears in it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from floe_config._errors import ConfigIssue

SECRET_WORDS = (
    "token",
    "secret",
    "pass",  # password, passwd, PGPASS
    "pwd",
    "key",  # api_key, access_key, private_key
    "credential",
    "auth",  # authorization, oauth
    "private",
    "session",
    "cookie",
    "signature",
)
"""A key or variable name holding one of these (case-insensitive) is treated as secret."""
URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:]*:[^/@]+@", re.IGNORECASE)
"""A URL with a password in it (``postgresql://floe:pw@db/iceberg``) is secret, whatever its key."""
MIN_REDACTED_LENGTH = 4
"""Shorter values are not searched for in error text: a 3-character secret does not exist, and
replacing every ``1`` in a message would garble it."""


def looks_secret(*names: str) -> bool:
    """True when any of ``names`` (a key, a variable name) contains a secret word."""
    return any(word in name.lower() for name in names for word in SECRET_WORDS)


@dataclass(frozen=True)
class EnvValue:
    """One scalar of floe.yaml that holds placeholders, and where its value came from."""

    path: str
    """The dotted key path (``storage.catalog.properties.token``)."""
    template: str
    """The scalar as written in floe.yaml (``${CATALOG_TOKEN}``, ``https://${HOST}/x``)."""
    variables: tuple[str, ...]
    """The variables it names, in order."""
    defaults: tuple[str | None, ...]
    from_env: tuple[str, ...]
    """The variables whose value came from the environment (not from a default)."""
    resolved: str
    """The text after interpolation: never shown, never written anywhere."""
    whole: bool
    """The scalar is exactly one placeholder (so it can travel as ``EnvVar``/``{env: NAME}``)."""

    def __repr__(self) -> str:  # the resolved text stays out of every repr
        return f"EnvValue({self.path!r}, template={self.template!r}, from_env={self.from_env})"

    @property
    def environmental(self) -> bool:
        """Some of the value came from the environment (not only from defaults in floe.yaml)."""
        return bool(self.from_env)

    @property
    def secret(self) -> bool:
        key = self.path.rsplit(".", 1)[-1]
        key = re.sub(r"\[\d+\]$", "", key)
        return looks_secret(key, *self.variables) or bool(URL_PASSWORD.search(self.resolved))


def secret_values(values: Iterable[EnvValue], env: Mapping[str, str]) -> dict[str, str]:
    """Secret text -> ``${NAME}``, for every environment value used in a secret context: the
    value as it is, and as ``repr`` and JSON escape it (the forms messages quote it in)."""
    found: dict[str, str] = {}
    for value in values:
        if not value.secret:
            continue
        for name in value.from_env:
            text = env.get(name, "")
            if len(text) < MIN_REDACTED_LENGTH:
                continue
            for form in (text, repr(text)[1:-1], json.dumps(text)[1:-1]):
                found[form] = f"${{{name}}}"
    return found


def redact(text: str, secrets: Mapping[str, str]) -> str:
    """``text`` with every secret value replaced by its placeholder (longest values first)."""
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, secrets[value])
    return text


def secret_paths(values: Iterable[EnvValue]) -> dict[str, tuple[str, ...]]:
    """Key path -> its variables, for every value from the environment that looks secret."""
    return {v.path: v.from_env for v in values if v.secret and v.environmental}


def redact_issue(
    issue: ConfigIssue, secrets: Mapping[str, str], paths: Mapping[str, tuple[str, ...]]
) -> ConfigIssue:
    """``issue`` without any secret in its text. At a key whose value is secret the fix is
    replaced too: a fix may quote a value in a changed form (``rename it, e.g. 'a_b'``)."""
    if not secrets and not paths:
        return issue
    hint = redact(issue.hint, secrets) if issue.hint else None
    if issue.path in paths:
        names = ", ".join(paths[issue.path])
        hint = f"the value comes from {names}; it looks secret, so it is not shown: check it there"
    return replace(issue, message=redact(issue.message, secrets), hint=hint)
