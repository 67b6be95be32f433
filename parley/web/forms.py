"""Form parsing for the pages. Forms only parse; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from parley.cases.policy import Role
from parley.documents.models import Provenance
from parley.limits import CLIENT_KEY_CHARS, text_chars
from parley.rooms.policy import Instruction

INVITE_ROLES = [
    (Role.PARTY.value, gettext_lazy("Party (forms a new side)")),
    (Role.COUNSEL.value, gettext_lazy("Counsel (a lawyer for a side)")),
    (Role.SUPPORT.value, gettext_lazy("Support person for a side")),
    (Role.OBSERVER.value, gettext_lazy("Observer (no side: co-mediator, trainee)")),
]


class CaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    reference = forms.CharField(max_length=100, required=False)
    currency = forms.CharField(max_length=3, required=False)


class InviteForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=200)
    role = forms.ChoiceField(choices=INVITE_ROLES)
    side = forms.IntegerField(required=False)
    side_label = forms.CharField(max_length=100, required=False)


class AgreementForm(forms.Form):
    source = forms.ChoiceField(choices=[("template", "template"), ("own", "own")])
    own_text = forms.CharField(max_length=100_000, required=False, strip=False)
    caucus_default = forms.ChoiceField(choices=Instruction.choices)
    results_confidential = forms.BooleanField(required=False)
    court = forms.CharField(max_length=200, required=False)
    order_reference = forms.CharField(max_length=200, required=False)
    min_sessions = forms.IntegerField(min_value=0, max_value=100, required=False)


class DisclosureForm(forms.Form):
    text = forms.CharField(max_length=text_chars(), required=False)
    none = forms.BooleanField(required=False)


class SignForm(forms.Form):
    typed_name = forms.CharField(max_length=200)
    consent = forms.BooleanField(required=False)
    sha256 = forms.CharField(max_length=64)


class EntryForm(forms.Form):
    body = forms.CharField(max_length=text_chars(), strip=False)
    acknowledge_not_confidential = forms.BooleanField(required=False)
    instruction = forms.ChoiceField(choices=Instruction.choices, required=False)
    client_key = forms.CharField(max_length=CLIENT_KEY_CHARS, required=False)


class UploadForm(forms.Form):
    file = forms.FileField()
    provenance = forms.ChoiceField(choices=Provenance.choices, required=False)
    description = forms.CharField(max_length=200, required=False)
    acknowledge_not_confidential = forms.BooleanField(required=False)
    instruction = forms.ChoiceField(choices=Instruction.choices, required=False)


class InstructionForm(forms.Form):
    instruction = forms.ChoiceField(choices=Instruction.choices)


class ShareForm(forms.Form):
    target_room = forms.IntegerField()


class TerminateForm(forms.Form):
    statement = forms.CharField(max_length=text_chars(), required=False)
    confirm = forms.BooleanField(required=False)
    confirm_court_order = forms.BooleanField(required=False)


class NewAccountForm(forms.Form):
    password = forms.CharField(max_length=200, strip=False)
    password_again = forms.CharField(max_length=200, strip=False)
