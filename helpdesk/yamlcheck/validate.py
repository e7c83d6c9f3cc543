"""Pydantic models for YAML files, and their errors as (file, line, field, message).

A file kind declares its models on `Spec` (unknown fields refused with the list of known ones)
using the field types below, whose errors read as plain words. `validate` runs a model over a
`Doc` and maps each pydantic error's location back to the line `read` recorded. Checks that need
outside knowledge (known district codes...) get it from the validation context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from helpdesk.yamlcheck.errors import DocError, DocErrors, Msg, _
from helpdesk.yamlcheck.read import Doc, Path, describe, read

M = TypeVar("M", bound=BaseModel)


def fail(message: Msg, key: str | None = None) -> PydanticCustomError:
    """A validation error with our own message; `key`: the child key it is about (its line)."""
    return PydanticCustomError(
        "doc", "{msgid}", {"msgid": message.msgid, "msg": message, "key": key}
    )


def found(value: Any) -> Msg:
    """What a wrong value is, in words."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("yes/no (%(value)s)", value=str(value).lower())
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("an empty list") if not value else _("a list")
    if isinstance(value, int | float):
        return _("the number %(value)s", value=value)
    return _('"%(value)s"', value=value)


class Spec(BaseModel):
    """A mapping in a file: strict types, unknown fields named with the known ones."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)
    shape: ClassVar[Msg] = _("a mapping of fields")  # what the value should be

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise fail(
                _("should be %(shape)s, found %(found)s", shape=cls.shape, found=found(data))
            )
        known = [f.alias or name for name, f in cls.model_fields.items()]
        for key in data:
            if key not in known:
                raise fail(
                    _(
                        "unknown field %(key)s; expected one of: %(known)s",
                        key=key,
                        known=", ".join(known),
                    ),
                    key=key,
                )
        return data


SpecModel: TypeAlias = type[Spec]


def spec_model(
    name: str, kinds: tuple[str, ...], validators: dict[str, Any] | None = None, **fields: Any
) -> SpecModel:
    """A registry entry's model (a condition, a member strategy, an IVR node): `type:` one of
    `kinds` plus `fields` (pydantic field definitions)."""
    tag: Any = Literal[kinds]
    model: SpecModel = create_model(
        name, __base__=Spec, __validators__=validators, type=(tag, ...), **fields
    )
    return model


def _text(value: Any) -> Any:
    # a number is text where codes are expected (district 330109, DTMF key 1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise fail(_("should be a text, found %(found)s", found=found(value)))
    return value.strip()


def _list(value: Any) -> Any:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [value]  # one value where a list is expected: a list of one
    if not isinstance(value, list) or not value:
        raise fail(_("should be a list, found %(found)s", found=found(value)))
    return value


Text = Annotated[str, BeforeValidator(_text)]
T = TypeVar("T")
OneOrMore = Annotated[list[T], BeforeValidator(_list)]
Texts = OneOrMore[Text]


def choice(allowed: Iterable[str]) -> Any:
    """A text among `allowed`: "priority must be one of low、normal… (found "hgih")"."""
    options = tuple(allowed)

    def check(value: str, info: ValidationInfo) -> str:
        if value not in options:
            raise fail(
                _(
                    '%(name)s must be one of %(allowed)s (found "%(value)s")',
                    name=info.field_name or "",
                    allowed=options,
                    value=value,
                )
            )
        return value

    return Annotated[str, BeforeValidator(_text), AfterValidator(check)]


def tagged(union: Any, names: Callable[[], Iterable[str]], what: Msg) -> Any:
    """A union told apart by `type:`; an unknown or missing type is named with the known ones.
    `what` names the thing, e.g. _("condition type")."""

    def check(value: Any) -> Any:
        known = list(names())
        if isinstance(value, dict):
            tag = value.get("type")
            if tag is None:
                raise fail(_("missing field type; one of: %(known)s", known=", ".join(known)))
            if str(tag) not in known:
                raise fail(
                    _(
                        "unknown %(what)s %(tag)s; expected one of: %(known)s",
                        what=what,
                        tag=tag,
                        known=", ".join(known),
                    ),
                    key="type",
                )
        return value

    return Annotated[union, Field(discriminator="type"), BeforeValidator(check)]


_TYPES: dict[str, Msg] = {
    "int_type": _("should be a whole number, found %(found)s"),
    "int_parsing": _("should be a whole number, found %(found)s"),
    "int_from_float": _("should be a whole number, found %(found)s"),
    "float_type": _("should be a number, found %(found)s"),
    "float_parsing": _("should be a number, found %(found)s"),
    "bool_type": _("should be true or false, found %(found)s"),
    "bool_parsing": _("should be true or false, found %(found)s"),
    "string_type": _("should be a text, found %(found)s"),
    "list_type": _("should be a list, found %(found)s"),
    "dict_type": _("should be a mapping, found %(found)s"),
    "model_type": _("should be a mapping, found %(found)s"),
    "date_type": _("should be a date like 2027-01-01, found %(found)s"),
    "date_parsing": _("should be a date like 2027-01-01, found %(found)s"),
    "date_from_datetime_parsing": _("should be a date like 2027-01-01, found %(found)s"),
    "too_short": _("should not be empty"),
    "greater_than_equal": _("should be at least %(ge)s, found %(found)s"),
    "less_than_equal": _("should be at most %(le)s, found %(found)s"),
    "greater_than": _("should be more than %(gt)s, found %(found)s"),
    "literal_error": _("should be one of %(expected)s, found %(found)s"),
}


def message(error: Any) -> Msg:
    """One pydantic error in our words."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "doc":
        msg: Msg = ctx["msg"]
        return msg
    if kind == "missing":
        return _("missing field %(name)s", name=error["loc"][-1])
    if kind in _TYPES:
        values = {k: v for k, v in ctx.items() if k in ("ge", "le", "gt", "expected")}
        return Msg(_TYPES[kind].msgid, {**values, "found": found(error.get("input"))})
    return Msg("%(text)s", {"text": error["msg"]})


def data_path(loc: tuple[str | int, ...], value: Any) -> Path:
    """The error's location as a path in the data: union tags and the index pydantic gives
    a single value read as a list of one are left out."""
    path: list[str | int] = []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(value, dict) and part not in value and value.get("type") == part:
            continue  # the tag of a union told apart by `type:`
        child = _child(value, part)
        if child is not _NONE:
            value = child
        elif last and isinstance(part, str) and isinstance(value, dict):
            pass  # a missing field: named, its line is its parent's
        else:
            continue
        path.append(part)
    return tuple(path)


_NONE = object()


def _child(value: Any, part: str | int) -> Any:
    if isinstance(value, dict) and part in value:
        return value[part]
    if isinstance(value, list) and isinstance(part, int) and part < len(value):
        return value[part]
    return _NONE


def validate(
    model: type[M],
    doc: Doc,
    context: dict[str, Any] | None = None,
    where: Callable[[Path], str] = describe,
) -> tuple[M | None, list[DocError]]:
    """The file's model, or None and every error (file, line, field, message)."""
    try:
        return model.model_validate(doc.value, context=context), []
    except ValidationError as exc:
        return None, errors_of(exc, doc, where)


def load(text: str, file: str, model: type[M]) -> tuple[M, Doc]:
    """Read one file and validate it as a whole `model`: the model and the document (for the
    lines of later checks), or DocErrors: the syntax error, "the file is empty" or every error
    of the model."""
    doc = read(text, file)
    if doc.value is None:
        raise DocErrors([DocError(file, 0, "", _("the file is empty"))])
    spec, errors = validate(model, doc)
    if spec is None:
        raise DocErrors(errors)
    return spec, doc


def errors_of(
    exc: ValidationError, doc: Doc, where: Callable[[Path], str] = describe, base: Path = ()
) -> list[DocError]:
    out: list[DocError] = []
    for error in exc.errors(include_url=False):
        path = (*base, *data_path(error["loc"], _at(doc.value, base)))
        key = (error.get("ctx") or {}).get("key")
        if key is not None:
            path = (*path, key)
        found_error = DocError(doc.file, doc.line(path), where(path), message(error))
        if found_error not in out:
            out.append(found_error)
    return out


def _at(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value
