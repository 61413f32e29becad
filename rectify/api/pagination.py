"""Page-number pagination with a bounded count (the list pages' paginator)."""

from rest_framework.pagination import PageNumberPagination

from rectify.core.pagination import CappedPaginator

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (at most :data:`MAX_PAGE_SIZE`); ``count`` stops at the
    list pages' cap (10 000), so a million-row list costs one bounded count."""

    django_paginator_class = CappedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
