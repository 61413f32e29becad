"""Drop single-column indexes that cost every insert and serve no read.

On ``ledger_measure`` and ``ledger_problem``: the foreign keys already indexed by a
composite index that leads with them (Meta.indexes). On the history tables: every
foreign key but the user's (history is read by object id, never by these). A ledger
import writes some 560,000 rows; each of these indexes made each of them slower.

Only the indexes go (DROP INDEX, by the names Django gave them): altering the fields
themselves would make SQLite copy whole tables, of millions of rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

#: (table, column) of every index dropped.
DROPPED = [
    ("ledger_measure", "campaign_id"),
    ("ledger_measure", "responsible_department_id"),
    ("ledger_measure", "unit_id"),
    ("ledger_measure", "problem_id"),
    ("ledger_problem", "campaign_id"),
    ("ledger_historicalmeasure", "campaign_id"),
    ("ledger_historicalmeasure", "responsible_department_id"),
    ("ledger_historicalmeasure", "responsible_leader_id"),
    ("ledger_historicalmeasure", "unit_id"),
    ("ledger_historicalmeasure", "problem_id"),
    ("ledger_historicalmeasure_responsible_persons", "person_id"),
    ("ledger_historicalmeasure_responsible_persons", "measure_id"),
    ("ledger_historicalproblem", "campaign_id"),
    ("ledger_historicalproblem", "concerned_person_id"),
    ("ledger_historicalproblem", "created_by_id"),
    ("ledger_historicalproblem", "target_id"),
    ("ledger_historicalproblem", "unit_id"),
]


def _index_name(schema_editor, table: str, column: str) -> str:
    """The name Django gave the index on this database (each backend cuts long names)."""
    return schema_editor._create_index_name(table, [column])


def drop_indexes(apps, schema_editor):
    for table, column in DROPPED:
        name = schema_editor.quote_name(_index_name(schema_editor, table, column))
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_indexes(apps, schema_editor):
    qn = schema_editor.quote_name
    for table, column in DROPPED:
        name = qn(_index_name(schema_editor, table, column))
        schema_editor.execute(f"CREATE INDEX {name} ON {qn(table)} ({qn(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_measure_report_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="historicalmeasure",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure",
                    name="problem",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ledger.problem",
                        verbose_name="problem",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure",
                    name="responsible_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.unit",
                        verbose_name="responsible department",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure",
                    name="responsible_leader",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.person",
                        verbose_name="responsible leader",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.unit",
                        verbose_name="unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure_responsible_persons",
                    name="measure",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ledger.measure",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalmeasure_responsible_persons",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalproblem",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalproblem",
                    name="concerned_person",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.person",
                        verbose_name="person concerned",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalproblem",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalproblem",
                    name="target",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="The target requirement this problem falls short of.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="campaigns.target",
                        verbose_name="target",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalproblem",
                    name="unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="org.unit",
                        verbose_name="unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="measure",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measures",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="measure",
                    name="problem",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measures",
                        to="ledger.problem",
                        verbose_name="problem",
                    ),
                ),
                migrations.AlterField(
                    model_name="measure",
                    name="responsible_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="department_measures",
                        to="org.unit",
                        verbose_name="responsible department",
                    ),
                ),
                migrations.AlterField(
                    model_name="measure",
                    name="unit",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measures",
                        to="org.unit",
                        verbose_name="unit",
                    ),
                ),
                migrations.AlterField(
                    model_name="problem",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="problems",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        )
    ]
