from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from parley.rooms.models import Entry


class Provenance(models.TextChoices):
    PRE_EXISTING = "pre_existing", gettext_lazy("Existed before the mediation")
    PREPARED = "prepared", gettext_lazy("Prepared for the mediation")


class Document(models.Model):
    """A file attached to an entry; it is seen exactly by whoever sees the entry (R3.5).

    Stored under MEDIA_ROOT, which is never served directly: downloads go through the access
    check. A shared copy points at the same stored file.
    """

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="document")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    provenance = models.CharField(max_length=16, choices=Provenance.choices)
    file = models.FileField(upload_to="cases/%Y/%m/", max_length=255)

    def __str__(self) -> str:
        return self.name
