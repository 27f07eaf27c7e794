"""The API's routers, one module per area; :data:`ROUTERS` is what ``leadwell.api.main``
mounts, in this order (the OpenAPI document and the docs page list the areas so).

To add an area (exports, say): write ``routers/exports.py`` with a ``router`` tagged for it,
using ``_common.answers`` and ``_common.in_org``, and add it here.
"""

from __future__ import annotations

from ninja import Router

from leadwell.api.routers import assessments, cycles, exports, people, reports

__all__ = ["ROUTERS"]

ROUTERS: list[Router] = [
    people.router,
    cycles.router,
    assessments.router,
    reports.router,
    exports.router,
]
