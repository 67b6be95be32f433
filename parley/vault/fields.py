"""Model fields whose column holds only ciphertext (R11.3).

The model attribute is the plaintext; the database column is `v1:<base64>`, encrypted under
the row's case key with the row's identity as associated data. Encryption happens as the row is
written (`pre_save`, which `save()`, `bulk_create()` and parley.inserts all call); decryption
happens the first time the attribute is read, so loading a page of entries decrypts exactly the
ones shown. Lookups on these columns cannot match plaintext: nothing filters on them.

`context(instance) -> (case_id, identity)` names the row; the identity must be known before the
row is inserted (a random salt or a natural key, never the primary key) and never change."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from parley.vault import keys

Context = Callable[[Any], tuple[int, str]]


class Ciphertext:
    """A value as loaded from the column, not yet decrypted."""

    __slots__ = ("stored",)

    def __init__(self, stored: str) -> None:
        self.stored = stored

    def __repr__(self) -> str:
        return "<Ciphertext>"


class DecryptingAttribute(DeferredAttribute):
    """A data descriptor (it has __set__), so reads come here even when the value is loaded."""

    field: EncryptedField

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            value = self.field.decrypt(instance, value)
            instance.__dict__[self.field.attname] = value
        return value


if TYPE_CHECKING:
    _TextColumn = models.Field[Any, Any]
else:
    _TextColumn = models.Field


class EncryptedField(_TextColumn):
    """A text column; the attribute's type is the subclass's (str, JSON, Decimal)."""

    descriptor_class = DecryptingAttribute

    def get_internal_type(self) -> str:
        return "TextField"

    def __init__(self, *args: Any, context: Context | None = None, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, _, args, kwargs = super().deconstruct()
        # The context is code, not schema: migrations see a text column.
        return name, f"parley.vault.fields.{type(self).__name__}", args, kwargs

    # How the Python value becomes text and back.
    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def identity(self, instance: Any) -> tuple[int, str]:
        assert self.context is not None, f"{self.model.__name__}.{self.name} has no context"
        case_id, item = self.context(instance)
        return case_id, f"{self.model._meta.label_lower}.{self.name}:{item}"

    def decrypt(self, instance: Any, value: Ciphertext) -> Any:
        if value.stored == "":
            return self.decode("") if not self.null else None
        case_id, identity = self.identity(instance)
        return self.decode(keys.open_text(case_id, identity, value.stored))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else Ciphertext(value)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return value.stored
        text = self.encode(value)
        if text == "":
            return ""  # nothing to hide (an erased sealed bid, an empty note)
        case_id, identity = self.identity(model_instance)
        return keys.seal_text(case_id, identity, text)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Ciphertext):
            return value.stored
        return super().get_prep_value(value)

    def to_python(self, value: Any) -> Any:
        return value

    def formfield(self, **kwargs: Any) -> Any:
        return None  # never edited through a Django form


class EncryptedTextField(EncryptedField):
    pass


class EncryptedJSONField(EncryptedField):
    def encode(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def decode(self, text: str) -> Any:
        return json.loads(text)


class EncryptedDecimalField(EncryptedField):
    def encode(self, value: Any) -> str:
        return str(Decimal(value))

    def decode(self, text: str) -> Any:
        return Decimal(text)
