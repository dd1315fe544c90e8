"""Pagination for the JSON API, safe for any page number a client sends (the pages use
Django's `Paginator.get_page`, which already answers the last page past the end).

A page number is a client's guess: `?page=10000000000000000000000` must answer like any page
past the end, not send an offset to the database that overflows its integers.
"""

from typing import Any

from ninja.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Page-number pagination of the API. A page past the last one is empty (`count` still
    says how many items there are) and costs no query beyond the count. Subclasses set
    `default_size` and `max_size`, and may override `present` to turn a page's rows into
    what the API returns (the hook where a read of personal data is logged)."""

    default_size = 50
    max_size = 200

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", self.default_size)
        kwargs.setdefault("max_page_size", self.max_size)
        super().__init__(**kwargs)

    def present(self, request, items) -> list:
        return list(items)

    def paginate_queryset(self, queryset, pagination, request, **params) -> dict:
        size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        offset = (pagination.page - 1) * size
        if offset >= count:
            rows: Any = []
        else:
            rows = queryset[offset : offset + size]
        return {self.items_attribute: self.present(request, rows), "count": count}
