"""Every route of every running service, read from its own OpenAPI document, asked with no token,
a wrong token, a token of another kind and the admin token: what changes state, and every read
of PII, must refuse all but the right one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Reads that carry PII or case identities: a token is required for them too.
PROTECTED_READS = {
    "tasking": {"/v1/tasks", "/v1/tasks/{task_id}", "/v1/grids", "/v1/me"},
    "triage": {"/v1/risk-areas/downgrades"},
}
# Routes a grid worker's token may not use on tasking, where it is otherwise a legitimate token
# (it acts on its own grid's tasks; the grid directory and tokens are for supervisors and admin).
ADMIN_ONLY = {"tasking": {"/v1/grids", "/v1/grids/{grid_id}", "/v1/tokens"}}
# Path parameters: values that exist nowhere, so an authorized call fails harmlessly (404/422).
PARAMS = {"feed": "bigdata", "area_code": "110105", "grid_id": "auth-matrix", "task_id": "none",
          "test_task_id": "none"}


@dataclass(frozen=True)
class Call:
    service: str
    method: str
    path: str

    @property
    def url_path(self) -> str:
        return re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "x"), self.path)


def protected_calls(service: str, openapi: dict[str, Any]) -> list[Call]:
    calls = []
    for path, operations in openapi.get("paths", {}).items():
        for method in operations:
            if method in WRITE_METHODS or (method == "get"
                                            and path in PROTECTED_READS.get(service, ())):
                calls.append(Call(service, method, path))
    return calls


async def walk(client: httpx.AsyncClient, urls: dict[str, str], admin: str,
               other_kind: str) -> tuple[list[Call], list[str]]:
    """Every protected call with each token; returns the calls and what answered wrongly.
    ``other_kind`` is a grid worker's token: unknown to intake, triage and reporting (401), a
    worker's on tasking (403 on admin routes, its own tasks elsewhere)."""
    wrong: list[str] = []
    calls: list[Call] = []
    for service, base in urls.items():
        openapi = (await client.get(f"{base}/openapi.json")).json()
        for call in protected_calls(service, openapi):
            calls.append(call)
            url = f"{base}{call.url_path}"
            # An invalid body and query: a call that passes authorization stops at validation.
            kwargs: dict[str, Any] = {"params": {"date": "not-a-date"}}
            if call.method != "get":
                kwargs["json"] = {"auth-matrix": True}
            other_refused = ({403} if call.path in ADMIN_ONLY.get(service, ())
                             else None if service in ADMIN_ONLY else {401, 403})
            for label, token, refused in (
                    ("no token", None, {401}),
                    ("wrong token", "pc_admin_not-a-token-anyone-has", {401}),
                    ("another kind of token", other_kind, other_refused),
                    ("admin token", admin, None)):
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                answer = await client.request(call.method.upper(), url, headers=headers,
                                              **kwargs)
                if refused is None and answer.status_code in (401, 403):
                    wrong.append(f"{service} {call.method.upper()} {call.path} with the "
                                 f"{label}: {answer.status_code}")
                elif refused is not None and answer.status_code not in refused:
                    wrong.append(f"{service} {call.method.upper()} {call.path} with "
                                 f"{label}: {answer.status_code} {answer.text[:120]}")
    return calls, wrong
