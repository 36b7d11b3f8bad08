"""Annotated field types shared by the floe.yaml models.

Each type carries its own check and raises ``PydanticCustomError`` with a stable code, so that
the error translator can report it with a location and a fix.
"""

from __future__ import annotations

import difflib
import keyword
import re
import zoneinfo
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from croniter import croniter
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from floe_config._codes import IssueCode

IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
DAGSTER_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
"""Dagster's rule for the names of jobs, schedules, sensors and partitions."""
DAGSTER_RESERVED_NAMES = frozenset(
    (
        *("context", "conf", "config", "meta", "arg_dict", "dict", "input_arg_dict"),
        *("output_arg_dict", "int", "str", "float", "bool", "input", "output", "type"),
        *keyword.kwlist,
    )
)
"""Names Dagster refuses although they match its pattern: Python keywords and its own."""
GROUP_NAME_RE = re.compile(r"^[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*$")
"""Dagster's rule for group names: names, optionally nested with '/'."""
MAX_TIMEZONE_LENGTH = 64
TAG_KEY_RE = re.compile(r"^([A-Za-z0-9_.-]{1,63}/|dagster/kind/)?[A-Za-z0-9_.-]{1,63}$")
"""Dagster's rule for tag keys: an optional namespace and '/', each part 1 to 63 of A-Z a-z
0-9 _ . -"""
DOTTED_RE = re.compile(r"^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
FUNCTION_RE = re.compile(r"^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def suggest(word: str, choices: Any, *, cutoff: float = 0.6) -> str | None:
    """The closest choice to ``word``, for "did you mean ...?" hints."""
    matches = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _text(value: Any) -> Any:
    """YAML may type a plain scalar meant as text (``version: 1.0``); keep it as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _identifier(value: str) -> str:
    if not IDENTIFIER_RE.match(value):
        fixed = re.sub(r"[^A-Za-z0-9_-]+", "_", value).strip("_-") or "my_project"
        raise PydanticCustomError(
            IssueCode.INVALID_NAME,
            "'{value}' is not a valid name; expected letters, digits, '_' and '-', "
            "starting with a letter or '_'",
            {"value": value, "hint": f"rename it, e.g. '{_leading(fixed)}'"},
        )
    return value


def _dagster_name(value: str) -> str:
    if value in DAGSTER_RESERVED_NAMES:
        raise PydanticCustomError(
            IssueCode.INVALID_NAME,
            "'{value}' is a name Dagster reserves (a Python keyword or one of its own)",
            {"value": value, "hint": f"rename it, e.g. '{value}_job' or 'my_{value}'"},
        )
    if not DAGSTER_NAME_RE.match(value):
        fixed = re.sub(r"[^A-Za-z0-9_]+", "_", value).strip("_") or "my_name"
        raise PydanticCustomError(
            IssueCode.INVALID_NAME,
            "'{value}' is not a valid name; Dagster names take only letters, digits and '_'",
            {"value": value, "hint": f"rename it, e.g. '{fixed}'"},
        )
    return value


def _tag_key(value: str) -> str:
    if not TAG_KEY_RE.match(value):
        raise PydanticCustomError(
            IssueCode.INVALID_TAG_KEY,
            "'{value}' is not a valid tag key; Dagster takes letters, digits, '_', '-' and '.', "
            "with an optional 'namespace/' first, each part at most 63 characters",
            {"value": value, "hint": "e.g. 'layer' or 'team/owner'"},
        )
    return value


def _group_name(value: str) -> str:
    if not GROUP_NAME_RE.match(value):
        fixed = re.sub(r"[^A-Za-z0-9_/]+", "_", value).strip("_/") or "my_group"
        raise PydanticCustomError(
            IssueCode.INVALID_NAME,
            "'{value}' is not a valid group name; Dagster takes letters, digits and '_', "
            "optionally nested with '/'",
            {"value": value, "hint": f"rename it, e.g. '{fixed}'"},
        )
    return value


def _dotted(value: str) -> str:
    if not DOTTED_RE.match(value):
        raise PydanticCustomError(
            IssueCode.INVALID_MODULE_PATH,
            "'{value}' is not a dotted module path; expected e.g. 'pkg.assets.bronze' "
            "or '.assets.bronze' (relative to the package holding floe.yaml)",
            {"value": value, "hint": _import_path_hint(value)},
        )
    return value


def _function(value: str) -> str:
    if not FUNCTION_RE.match(value):
        hint = (
            f"name its module too, e.g. '.ops.{value}' (relative to the package holding "
            "floe.yaml) or 'my_package.ops." + value + "'"
            if DAGSTER_NAME_RE.match(value)
            else _import_path_hint(value)
        )
        raise PydanticCustomError(
            IssueCode.INVALID_FUNCTION_PATH,
            "'{value}' is not a 'module.function' path; expected e.g. 'pkg.ops.vacuum'",
            {"value": value, "hint": hint},
        )
    return value


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: str) -> str:
    known = _timezones()
    if value in known:
        return value
    try:
        if len(value) > MAX_TIMEZONE_LENGTH or "\0" in value:
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        near = suggest(value[:MAX_TIMEZONE_LENGTH], known)
        raise PydanticCustomError(
            IssueCode.INVALID_TIMEZONE,
            "'{value}' is not an IANA timezone; expected e.g. 'UTC' or 'Europe/Berlin'",
            {
                "value": value,
                "hint": f"did you mean '{near}'?"
                if near
                else "use a zone of the IANA database, as 'Area/City': 'UTC', "
                "'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'",
            },
        ) from None
    return value


CRON_FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12 or jan-dec"),
    ("day-of-week", "0-6 or sun-sat"),
)


def cron_hint(expression: str) -> str:
    """What is wrong with a cron expression ``cron_is_valid`` refuses, as a fix."""
    fields = expression.split()
    if expression.startswith("@"):
        return f"use one of the macros {', '.join(CRON_MACROS)}, or five fields"
    if len(fields) == 6:
        return (
            "Dagster's cron has no seconds: keep five fields, 'minute hour day-of-month month "
            "day-of-week'"
        )
    if len(fields) != 5:
        return (
            f"write five fields, not {len(fields)}: 'minute hour day-of-month month "
            "day-of-week', e.g. '0 6 * * *' for 06:00 every day, '30 2 * * 1' for 02:30 on "
            "Mondays"
        )
    for index, (name, values) in enumerate(CRON_FIELDS):
        alone = " ".join(f if i == index else "*" for i, f in enumerate(fields))
        if not cron_is_valid(alone):
            return f"the {name} field '{fields[index]}' is not valid: it takes {values}"
    return "that day never comes in that month (as February 30 or April 31): pick a day it has"


def _leading(name: str) -> str:
    """``name`` starting with a letter or '_', as floe names must."""
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def _import_path_hint(value: str) -> str:
    parts = [re.sub(r"\W+", "_", p).strip("_") for p in value.split(".")]
    fixed = ".".join(_leading(p) for p in parts if p) or "my_package.module"
    return (
        "Python imports modules by names of letters, digits and '_' only: rename the file or "
        f"folder and write e.g. '{'.' if value.startswith('.') else ''}{fixed}'"
    )


@cache
def cron_is_valid(expression: str) -> bool:
    """Dagster's rule (croniter accepts it, five fields, not Feb 30/31), and it fires at all:
    ``0 0 31 4 *`` (April 31) never does, and would fail the schedule at run time."""
    try:
        if not croniter.is_valid(expression):
            return False
        expanded = croniter.expand(expression)[0]
        if len(expanded) != 5:
            return False
        croniter(expression, datetime(2024, 1, 1)).get_next(datetime)
    except Exception:  # croniter raises several types for expressions it cannot schedule
        return False
    return True


def _cron(value: str) -> str:
    value = value.strip()
    if not cron_is_valid(value):
        raise PydanticCustomError(
            IssueCode.INVALID_CRON,
            "'{value}' is not a valid cron expression; expected five fields "
            "'minute hour day-of-month month day-of-week' (e.g. '0 6 * * *') or a macro "
            "such as '@daily'",
            {"value": value, "hint": cron_hint(value)},
        )
    return value


Text = Annotated[str, BeforeValidator(_text)]
"""A string; a plain YAML scalar that YAML typed as a number or bool is taken as its text."""
Name = Annotated[str, BeforeValidator(_text), AfterValidator(_identifier)]
"""A floe identifier (the project, the catalog): letters, digits, '_' and '-'."""
DagsterName = Annotated[str, BeforeValidator(_text), AfterValidator(_dagster_name)]
GroupName = Annotated[str, BeforeValidator(_text), AfterValidator(_group_name)]
"""A name Dagster constrains: jobs, schedules, sensors, backfills, partitions, groups."""
ModulePath = Annotated[str, AfterValidator(_dotted)]
FunctionPath = Annotated[str, AfterValidator(_function)]
Timezone = Annotated[str, AfterValidator(_timezone)]
Cron = Annotated[str, AfterValidator(_cron)]
PositiveInt = Annotated[int, Field(gt=0)]
TagKey = Annotated[str, AfterValidator(_tag_key)]
Tags = dict[TagKey, Text]
