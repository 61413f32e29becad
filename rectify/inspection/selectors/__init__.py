"""Reads of the inspection stage that are more than a ``get``, one module per source."""
