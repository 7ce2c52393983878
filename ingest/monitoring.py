"""Handlers of /api/v1/monitoring: workers, one worker, queues, hosts, and control actions.

Each answer is a model of ``schemas.monitoring`` serialised as it is, so the
dashboard and any other reader parse exactly what the contract says.
"""

from aiohttp import web
from pydantic import BaseModel, ValidationError

from ingest.errors import RequestRejectedError
from ingest.services import SERVICES
from schemas.error_codes import ErrorCode
from schemas.monitoring import ControlRequest

MAX_CONTROL_BODY = 4096


def _answer(view: BaseModel, status: int = 200) -> web.Response:
    return web.json_response(text=view.model_dump_json(), status=status)


async def list_workers(request: web.Request) -> web.Response:
    """GET /api/v1/monitoring/workers."""
    return _answer(await request.app[SERVICES].operations.workers())


async def get_worker(request: web.Request) -> web.Response:
    """GET /api/v1/monitoring/workers/{worker_id}: 404 WORKER_NOT_FOUND unless it is alive."""
    return _answer(await request.app[SERVICES].operations.worker(request.match_info["worker_id"]))


async def get_queues(request: web.Request) -> web.Response:
    """GET /api/v1/monitoring/queues."""
    return _answer(await request.app[SERVICES].operations.queues())


async def get_system(request: web.Request) -> web.Response:
    """GET /api/v1/monitoring/system."""
    return _answer(await request.app[SERVICES].operations.system())


async def _control_request(request: web.Request) -> ControlRequest:
    body = b""
    while len(body) <= MAX_CONTROL_BODY and (chunk := await request.content.read(MAX_CONTROL_BODY + 1)):
        body += chunk
    if len(body) > MAX_CONTROL_BODY:
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, f"the body exceeds {MAX_CONTROL_BODY} bytes")
    try:
        return ControlRequest.model_validate_json(body)
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "json_invalid":
            raise RequestRejectedError(ErrorCode.INVALID_JSON, "the body is not valid JSON") from exc
        where = ".".join(str(part) for part in error["loc"]) or "body"
        raise RequestRejectedError(ErrorCode.INVALID_REQUEST, f"{where}: {error['msg']}") from exc


async def control_worker(request: web.Request) -> web.Response:
    """POST /api/v1/monitoring/workers/{worker_id}/control: 202 once the action is on the control topic.

    The operator's credential is checked by the authentication middleware
    before this runs, so a caller without it learns nothing, not even whether
    the worker exists.
    """
    services = request.app[SERVICES]
    body = await _control_request(request)
    accepted = await services.operations.control(request.match_info["worker_id"], body.action)
    return _answer(accepted, status=202)
