"""Background tasks of the exchange app (django-tasks; ``rectify db_worker`` runs them)."""

from django_tasks import task


@task()
def run_export(job_id: int) -> None:
    """Write the file of an export job (see :func:`rectify.exchange.export.export_job_run`)."""
    from .export import export_job_run

    export_job_run(job_id)


@task()
def run_import(job_id: int) -> None:
    """Import the file of an import job (see :mod:`rectify.exchange.importer.jobs`)."""
    from .importer.jobs import import_job_run

    import_job_run(job_id)
