"""Encrypts the content written before encryption at rest (R11.3): a key for every case, then
every entry text, offer sum and terms, rating, sealed bid, settlement text, stored document and
stored export, in place.

It imports parley.vault.crypto, the envelope format itself (pure functions, no models): the
migration must write exactly what the code reads. Sealed bids were Fernet tokens under a key
derived from SECRET_KEY; that derivation is repeated here, as it was, to open them once."""

import base64
import json
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations


def _raw(value):
    # Historical encrypted fields hand back the column's raw value wrapped; old rows are plain.
    return getattr(value, "stored", value)


def _old_fernet():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"parley.negotiation.sealed-bid.v1"
    ).derive(settings.SECRET_KEY.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_existing(apps, schema_editor):
    from parley.vault import crypto

    master = settings.PARLEY_MASTER_KEY
    Case = apps.get_model("cases", "Case")
    CaseKey = apps.get_model("vault", "CaseKey")
    keys = {}
    for case_id in Case.objects.values_list("pk", flat=True):
        row = CaseKey.objects.filter(case_id=case_id).first()
        if row is None:
            data_key = crypto.new_key()
            CaseKey.objects.create(
                case_id=case_id,
                wrapped=crypto.wrap(master, case_id, data_key),
                master_id=crypto.key_id(master),
            )
        else:
            data_key = crypto.unwrap(master, case_id, bytes(row.wrapped))
        keys[case_id] = data_key

    def seal(case_id, identity, text):
        return crypto.seal_text(keys[case_id], case_id, identity, text)

    Entry = apps.get_model("rooms", "Entry")
    for pk, case_id, salt, body in Entry.objects.values_list("pk", "case_id", "salt", "body"):
        body = _raw(body)
        if body and not body.startswith(crypto.TEXT_PREFIX):
            Entry.objects.filter(pk=pk).update(body=seal(case_id, f"rooms.entry.body:{salt}", body))

    Offer = apps.get_model("negotiation", "Offer")
    for pk, case_id, entry_id, amount, terms in Offer.objects.values_list(
        "pk", "case_id", "entry_id", "amount", "terms"
    ):
        changes = {}
        amount, terms = _raw(amount), _raw(terms)
        if amount is not None and not str(amount).startswith(crypto.TEXT_PREFIX):
            text = f"{Decimal(str(amount)):.2f}"
            changes["amount"] = seal(case_id, f"negotiation.offer.amount:{entry_id}", text)
        if terms is not None and not str(terms).startswith(crypto.TEXT_PREFIX):
            text = terms if isinstance(terms, str) else json.dumps(terms)
            changes["terms"] = seal(case_id, f"negotiation.offer.terms:{entry_id}", text)
        if changes:
            Offer.objects.filter(pk=pk).update(**changes)

    Rating = apps.get_model("negotiation", "Rating")
    for pk, case_id, entry_id, data in Rating.objects.values_list(
        "pk", "case_id", "entry_id", "data"
    ):
        data = _raw(data)
        if data is not None and not str(data).startswith(crypto.TEXT_PREFIX):
            text = data if isinstance(data, str) else json.dumps(data)
            Rating.objects.filter(pk=pk).update(
                data=seal(case_id, f"negotiation.rating.data:{entry_id}", text)
            )

    SettlementVersion = apps.get_model("negotiation", "SettlementVersion")
    for pk, case_id, version, text in SettlementVersion.objects.values_list(
        "pk", "case_id", "version", "text"
    ):
        text = _raw(text)
        if text and not text.startswith(crypto.TEXT_PREFIX):
            SettlementVersion.objects.filter(pk=pk).update(
                text=seal(case_id, f"negotiation.settlementversion.text:{version}", text)
            )

    SealedBid = apps.get_model("negotiation", "SealedBid")
    fernet = None
    for pk, case_id, bidding_id, round_no, side_id, token in SealedBid.objects.values_list(
        "pk", "bidding__case_id", "bidding_id", "round", "side_id", "sealed"
    ):
        token = _raw(token)
        if token and not token.startswith(crypto.TEXT_PREFIX):
            fernet = fernet or _old_fernet()
            payload = fernet.decrypt(token.encode("ascii")).decode()
            identity = f"negotiation.sealedbid.sealed:{bidding_id}:{round_no}:{side_id}"
            SealedBid.objects.filter(pk=pk).update(sealed=seal(case_id, identity, payload))

    def seal_file(case_id, identity, name):
        if not name or not default_storage.exists(name):
            return
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
        if data.startswith(crypto.FILE_MAGIC):
            return
        sealed = crypto.FILE_MAGIC + crypto.seal(keys[case_id], case_id, identity, data)
        default_storage.delete(name)
        assert default_storage.save(name, ContentFile(sealed)) == name

    Document = apps.get_model("documents", "Document")
    for case_id, name in set(Document.objects.values_list("entry__case_id", "file")):
        seal_file(case_id, f"document-file:{name}", name)
    ExportJob = apps.get_model("notifications", "ExportJob")
    for pk, case_id, name in ExportJob.objects.values_list("pk", "case_id", "file"):
        seal_file(case_id, f"export:{pk}", name)


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0001_initial"),
        ("rooms", "0002_alter_entry_body"),
        ("negotiation", "0002_alter_offer_amount_alter_offer_terms_and_more"),
        ("documents", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(encrypt_existing, elidable=False)]
