import sqlite3
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("rectify.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_serve_refuses_debug(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("serve", "--check-only")


def test_serve_refuses_the_default_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEFAULT_SECRET_KEY
    with pytest.raises(CommandError, match="RECTIFY_SECRET_KEY"):
        call_command("serve", "--check-only")


def test_serve_accepts_production_settings(settings, capsys):
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 50
    call_command("serve", "--check-only")
    assert capsys.readouterr().out.strip()


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path, settings, django_db_blocker):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    db = dict(settings.DATABASES["default"])
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    db["NAME"] = str(tmp_path / "wal.sqlite3")
    wrapper = DatabaseWrapper(db, alias="wal-check")
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA busy_timeout")
                assert cursor.fetchone()[0] >= 5000
        finally:
            wrapper.close()
    assert sqlite3.sqlite_version_info >= (3, 35)


def test_migrate_leaves_sqlite_planner_statistics(tmp_path, settings, django_db_blocker):
    from django.db import connections

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite only")
    settings.DATABASES["stats"] = {
        **settings.DATABASES["default"],
        "NAME": str(tmp_path / "stats.sqlite3"),
        "TEST": {"NAME": str(tmp_path / "stats.sqlite3")},
    }
    with django_db_blocker.unblock():
        try:
            call_command("migrate", database="stats", verbosity=0)
            with connections["stats"].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM sqlite_stat1")
                assert cursor.fetchone()[0] > 0
        finally:
            connections["stats"].close()
            del connections["stats"]
