"""``GET /healthz``: 200 when this worker reaches the database, 503 when not."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from accord import Page, database, hookimpl


def healthz(request: Request) -> JSONResponse:
    database.execute_sql("SELECT 1")
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@hookimpl
def register_routes() -> list[Page]:
    return [Page("/healthz", healthz, name="healthz", scope="public")]
