"""Accounts made before sign-in moved to django-allauth: their address is recorded as verified
(operators and invitations created them), so allauth's mandatory verification lets them in."""

from django.db import migrations


def record_addresses(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=user.pk, email=user.email, primary=True, verified=True)
        for user in User.objects.exclude(pk__in=known).only("pk", "email")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_time_zone_language"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(record_addresses, migrations.RunPython.noop)]
