"""A claimed view raises the article's counter in the same statement, by trigger.

``view_claim`` inserts a browser's (article, browser) row, or moves its time
forward once the window has passed; either change fires the trigger, which adds
one to ``news_article.view_count``. The claim and the count are thus one atomic
statement: no view is counted without its claim, none twice, and a page view
takes one write, not two.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER news_view_counted_insert AFTER INSERT ON news_articleview
    BEGIN UPDATE news_article SET view_count = view_count + 1 WHERE id = NEW.article_id; END""",
    """CREATE TRIGGER news_view_counted_update AFTER UPDATE OF counted_at ON news_articleview
    BEGIN UPDATE news_article SET view_count = view_count + 1 WHERE id = NEW.article_id; END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS news_view_counted_insert",
    "DROP TRIGGER IF EXISTS news_view_counted_update",
]
POSTGRES = [
    """CREATE FUNCTION news_view_counted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE news_article SET view_count = view_count + 1 WHERE id = NEW.article_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER news_view_counted AFTER INSERT OR UPDATE OF counted_at
    ON news_articleview FOR EACH ROW EXECUTE FUNCTION news_view_counted()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS news_view_counted ON news_articleview",
    "DROP FUNCTION IF EXISTS news_view_counted()",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        chosen = {"sqlite": statements[0], "postgresql": statements[1]}.get(vendor)
        if chosen is None:
            raise NotImplementedError(f"no view-counter trigger for {vendor}")
        for sql in chosen:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run((SQLITE, POSTGRES)), _run((SQLITE_REVERSE, POSTGRES_REVERSE)), elidable=False
        )
    ]
