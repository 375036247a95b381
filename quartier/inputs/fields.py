"""`Fields`: typed values out of a JSON object, a form (MultiDict) or a query string; `Invalid`: every
problem at once (see the package's docstring for the two ways of meeting problems)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypedDict, TypeVar, Unpack, overload

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import values as v
from quartier.inputs.messages import BESIDE, CODES, NAMING

T = TypeVar("T")
Error = tuple[str, str, dict[str, Any]]  # (field, French message id, params)
Say = str | Mapping[str, str] | None  # one message (or code) for every kind of problem, or one by kind


class How(TypedDict, total=False):
    """How a reader speaks of its field's problems: its own message or code, the field's name in words."""

    message: Say
    code: Say
    label: str | None


class Invalid(Problem):
    """Every problem found while collecting, in order: (field, French message id, params) each.

    As a Problem it answers 422 with the first one ("Champ « date » : …"); a form shows each beside
    its field (`messages`), the YAML import each with its line.
    """

    def __init__(self, errors: list[Error]):
        field, message, params = errors[0]
        problem = _(message).format(**params)
        super().__init__(422, "invalid", N_("Champ « {field} » : {problem}"), field=field, problem=problem)
        self.errors = list(errors)

    def __str__(self) -> str:
        return "; ".join(f"{f}: {m.format(**p)}" for f, m, p in self.errors)

    def messages(self) -> dict[str, str]:
        """The first message of each field, in the current language."""
        out: dict[str, str] = {}
        for field, message, params in self.errors:
            out.setdefault(field, _(message).format(**params))
        return out


def _pick(say: Say, kind: str) -> str | None:
    return say.get(kind) if isinstance(say, Mapping) else say


def _id_of(value: Any) -> int | None:
    """A record's number; "#12", as the console shows notes, is 12."""
    return v.to_id(value.strip().removeprefix("#") if isinstance(value, str) else value)


class Fields:
    """Typed values out of a mapping; each reader returns the cleaned value, or its default when the field
    is absent or blank (or wrong, when collecting). `numbers_as_text` takes YAML's unquoted numbers (a
    postal code, a time read as minutes) as the text they were written as."""

    def __init__(
        self,
        data: Any,
        *,
        collect: bool = False,
        status: int = 422,
        numbers_as_text: bool = False,
        prefix: str = "",
        problems: list[Error] | None = None,
    ):
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        self.collect = collect
        self.status = status
        self.numbers_as_text = numbers_as_text
        self.prefix = prefix
        self.problems: list[Error] = [] if problems is None else problems

    def has(self, name: str) -> bool:
        """Whether the field was sent at all (a blank field was)."""
        return name in self.data

    def fail(self, name: str, message: str, *, code: str = "invalid_field", **params: Any) -> None:
        """A problem the readers cannot see (a rule across fields, a lookup): noted, or raised at once."""
        field = self.prefix + name
        if self.collect:
            self.problems.append((field, message, params))
            return
        raise Problem(self.status, code, message, **{"field": field, **params})

    def done(self) -> None:
        """When collecting: raise every problem noted, as Invalid."""
        if self.problems:
            raise Invalid(self.problems)

    def _fail(self, name: str, kind: str, how: How, **params: Any) -> None:
        chosen, label = _pick(how.get("message"), kind), how.get("label")
        field = self.prefix + name
        if self.collect:
            self.problems.append((field, chosen or BESIDE[kind], params))
            return
        code = _pick(how.get("code"), kind) or CODES.get(kind, "invalid_field")
        raise Problem(self.status, code, chosen or NAMING[kind], field=_(label) if label else field, **params)

    def _read(
        self, name: str, kind: str, parse: Callable[[Any], T | None], required: bool, how: How, **params: Any
    ) -> T | None:
        """The field parsed; None when blank (a problem when required) or when it does not parse."""
        value = self.data.get(name)
        if v.blank(value):
            if required:
                self._fail(name, "required", how, **params)  # params too: a replaced message may use them
            return None
        found = parse(value)
        if found is None:
            self._fail(name, kind, how, **params)
        return found

    def text(
        self,
        name: str,
        *,
        max_length: int,
        required: bool = False,
        multiline: bool = False,
        pattern: re.Pattern[str] | None = None,
        default: str = "",
        **how: Unpack[How],
    ) -> str:
        """Cleaned text (see values.clean_text), at most max_length characters, matching pattern when given."""
        value = self.data.get(name)
        if self.numbers_as_text and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self._fail(name, "text", how)
            return default
        sent = len((value or "").replace("\r\n", "\n"))  # a form's line break counts once, as the browser counts it
        value = v.clean_text(value or "", multiline=multiline)
        if not value:
            if required:
                self._fail(name, "required", how, max=max_length, count=0)
            return default
        if max(sent, len(value)) > max_length:  # the limit counts what was sent, as the API document says
            self._fail(name, "too_long", how, max=max_length, count=max(sent, len(value)))
        elif pattern is not None and not pattern.match(value):
            self._fail(name, "pattern", how)
        return value

    @overload
    def integer(
        self,
        name: str,
        *,
        minimum: int = ...,
        maximum: int = ...,
        required: bool = ...,
        default: int,
        **how: Unpack[How],
    ) -> int: ...
    @overload
    def integer(
        self,
        name: str,
        *,
        minimum: int = ...,
        maximum: int = ...,
        required: bool = ...,
        default: None = ...,
        **how: Unpack[How],
    ) -> int | None: ...
    def integer(
        self,
        name: str,
        *,
        minimum: int = v.INT64_MIN,
        maximum: int = v.INT64_MAX,
        required: bool = False,
        default: int | None = None,
        **how: Unpack[How],
    ) -> int | None:
        """An integer (a JSON number or ASCII digits) between minimum and maximum, within 64 bits."""
        found = self._read(
            name, "integer", lambda x: v.to_int(x, minimum, maximum), required, how, min=minimum, max=maximum
        )
        return default if found is None else found

    def id(self, name: str, *, required: bool = False, **how: Unpack[How]) -> int | None:
        """A record's number (1 to 2**63 - 1); "#12" is 12."""
        return self._read(name, "id", _id_of, required, how)

    def number(
        self, name: str, *, minimum: float, maximum: float, required: bool = False, **how: Unpack[How]
    ) -> float | None:
        """A finite number between minimum and maximum."""
        return self._read(
            name, "number", lambda x: v.to_float(x, minimum, maximum), required, how, min=minimum, max=maximum
        )

    def boolean(self, name: str, default: bool = False, **how: Unpack[How]) -> bool:
        """true/false, 1/0, or a form's on, yes/oui, no/non; default when absent."""
        found = self._read(name, "boolean", v.to_bool, False, how)
        return default if found is None else found

    @overload
    def choice(
        self, name: str, choices: Collection[str], default: str, *, required: bool = ..., **how: Unpack[How]
    ) -> str: ...
    @overload
    def choice(
        self, name: str, choices: Collection[str], default: None = ..., *, required: bool = ..., **how: Unpack[How]
    ) -> str | None: ...
    def choice(
        self,
        name: str,
        choices: Collection[str],
        default: str | None = None,
        *,
        required: bool = False,
        **how: Unpack[How],
    ) -> str | None:
        """One of choices (the keys of a mapping); default when absent."""

        def parse(x: Any) -> str | None:
            return x if isinstance(x, str) and x in choices else None

        found = self._read(name, "choice", parse, required and default is None, how, values=", ".join(choices))
        return default if found is None else found

    def date(self, name: str, *, required: bool = False, **how: Unpack[How]) -> dt.date | None:
        """A date, YYYY-MM-DD (or YAML's date), whose year is within YEARS."""
        return self._read(name, "date", v.to_date, required, how, min=v.YEARS[0], max=v.YEARS[1])

    def time(self, name: str, *, required: bool = False, **how: Unpack[How]) -> str | None:
        """A wall-clock time as "HH:MM"."""
        return self._read(name, "time", self._time, required, how)

    def _time(self, value: Any) -> str | None:
        if self.numbers_as_text and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads 09:30 as sexagesimal 570
        return v.to_time(value)

    def datetime(self, name: str, *, tz: dt.tzinfo, required: bool = False, **how: Unpack[How]) -> dt.datetime | None:
        """An aware moment: ISO 8601 with or without an offset (a form's datetime-local is in tz)."""
        return self._read(name, "datetime", lambda x: v.to_moment(x, tz), required, how, min=v.YEARS[0], max=v.YEARS[1])

    def week(self, name: str, *, required: bool = False, **how: Unpack[How]) -> dt.date | None:
        """The Monday of an ISO week, "YYYY-Www"."""
        return self._read(name, "week", v.to_week, required, how)

    def _many(self, name: str) -> list[Any] | None:
        """Every value of a field: a form's repeated field, a JSON list or one value; None for another type."""
        getall = getattr(self.data, "getall", None)
        if getall is not None:
            return [x for x in getall(name, []) if not v.blank(x)]
        value = self.data.get(name)
        if v.blank(value):
            return []
        if isinstance(value, list):
            return value
        return [value] if isinstance(value, (str, int, float)) else None

    def _list(
        self,
        name: str,
        kind: str,
        parse: Callable[[Any], T | None],
        required: bool,
        max_items: int,
        how: How,
        **params: Any,
    ) -> list[T]:
        """Every value parsed, or [] with a problem when one does not parse."""
        values = self._many(name)
        found = [parse(x) for x in values] if values is not None else [None]
        items = [x for x in found if x is not None]
        if len(items) < len(found):
            self._fail(name, kind, how, n=max_items, **params)
            return []
        if not items and required:
            self._fail(name, "required", how, n=max_items, **params)
        elif len(items) > max_items:
            self._fail(name, "too_many", how, n=max_items, **params)
        return items

    def strings(
        self,
        name: str,
        *,
        max_items: int = 20,
        max_length: int = 60,
        required: bool = False,
        **how: Unpack[How],
    ) -> list[str]:
        """Distinct one-line texts, from a list or a text split at commas ("seniors, jeunes")."""
        values = self._many(name)
        if values is None or not all(isinstance(x, str) for x in values):
            self._fail(name, "list", how, n=max_items, max=max_length)
            return []
        cleaned = (v.clean_text(part, multiline=False) for x in values for part in x.split(","))
        items = list(dict.fromkeys(item for item in cleaned if item))
        if not items and required:
            self._fail(name, "required", how, n=max_items, max=max_length)
        elif len(items) > max_items:
            self._fail(name, "too_many", how, n=max_items, max=max_length)
        elif any(len(item) > max_length for item in items):
            self._fail(name, "too_long", how, n=max_items, max=max_length, count=max(map(len, items)))
        return items

    def ids(self, name: str, *, max_items: int = 100, required: bool = False, **how: Unpack[How]) -> list[int]:
        """Distinct record numbers, from a list or a form's repeated field."""
        found = self._list(name, "ids", _id_of, required, max_items, how)
        return list(dict.fromkeys(found))

    def numbers(self, name: str, *, minimum: float, maximum: float, max_items: int) -> list[float]:
        """Finite numbers between minimum and maximum (a list, or one number), in their order."""

        def parse(x: Any) -> float | None:
            return v.to_float(x, minimum, maximum)

        return self._list(name, "numbers", parse, False, max_items, {}, min=minimum, max=maximum)

    def nested(self, name: str, *, required: bool = False, **how: Unpack[How]) -> Fields | None:
        """The fields of a nested object (problems named "outer.inner"), or None when absent or empty."""
        found = self._read(name, "object", lambda x: x if isinstance(x, Mapping) else None, required, how)
        if not found:
            return None
        return Fields(
            found,
            collect=self.collect,
            status=self.status,
            numbers_as_text=self.numbers_as_text,
            prefix=f"{self.prefix}{name}.",
            problems=self.problems,
        )
