from django.db import migrations


def recount(apps, schema_editor):
    """Recount the day rows: a measure completed before the day it was created now counts as
    completed on that day, never before it is counted as created."""
    if apps.get_model("ledger", "Problem").objects.exists():
        from rectify.ledger import tallies

        tallies.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0007_tallies"),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
