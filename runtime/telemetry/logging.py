"""Every log line of a service as one JSON object (or a readable console line), whoever wrote it.

Our code, Faust, mode, aiohttp and librdkafka all log through the stdlib
``logging`` module; structlog's :class:`ProcessorFormatter` renders those
records and structlog's own events through the same processors, so a line
always carries ``timestamp``, ``level``, ``service``, ``worker_id``,
``logger``, ``message``, and the ``job_id`` / ``task_id`` bound in the
current context (:func:`structlog.contextvars.bound_contextvars`). The
handlers are returned so that Faust's worker, which configures logging
itself, can be handed the very same ones.
"""

import logging
import logging.handlers
import sys
from types import TracebackType
from typing import Any, TextIO

import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from runtime.settings import ServiceSettings


def _identity(service: str, worker_id: str) -> Processor:
    def add(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
        event.setdefault("service", service)
        event.setdefault("worker_id", worker_id)
        return event

    return add


def _trace_ids(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """The current span's ids, so a log line leads to its trace in Jaeger (nothing when not tracing)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


_FIRST = ("timestamp", "level", "service", "worker_id", "logger", "message", "job_id", "task_id")


def _ordered(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """The fields a reader scans for first, in the same order on every line."""
    return {**{key: event[key] for key in _FIRST if key in event}, **event}


def _pre_chain(service: str, worker_id: str) -> list[Processor]:
    """What every record gets before rendering, structlog's and the stdlib's alike."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _identity(service, worker_id),
        _trace_ids,
    ]


def _formatter(pre_chain: list[Processor], console: bool, colors: bool = False) -> logging.Formatter:
    renderer: Processor
    if console:
        renderer = structlog.dev.ConsoleRenderer(colors=colors)
        tail: list[Processor] = [renderer]
    else:
        renderer = structlog.processors.JSONRenderer()
        tail = [
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            _ordered,
            renderer,
        ]
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
        foreign_pre_chain=pre_chain,
    )


def is_console(log_format: str, stream: TextIO) -> bool:
    """``LOG_FORMAT``: console or JSON as asked; ``auto`` is console only on a terminal."""
    if log_format != "auto":
        return log_format == "console"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def log_handlers(
    service: str, worker_id: str, settings: ServiceSettings, stream: TextIO | None = None
) -> list[logging.Handler]:
    """A stderr handler (console or JSON) and, with ``LOG_FILE``, a rotating file of JSON lines."""
    out = stream if stream is not None else sys.stderr
    pre_chain = _pre_chain(service, worker_id)
    console = is_console(settings.log_format, out)
    main = logging.StreamHandler(out)
    main.setFormatter(_formatter(pre_chain, console, colors=console and settings.log_format == "auto"))
    handlers: list[logging.Handler] = [main]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            settings.log_file,
            maxBytes=settings.log_file_max_bytes,
            backupCount=settings.log_file_backups,
            encoding="utf-8",
        )
        rotating.setFormatter(_formatter(pre_chain, console=False))
        handlers.append(rotating)
    return handlers


def configure_logging(
    service: str, worker_id: str, settings: ServiceSettings, stream: TextIO | None = None
) -> list[logging.Handler]:
    """Route structlog and the stdlib's root logger through the handlers of :func:`log_handlers`."""
    handlers = log_handlers(service, worker_id, settings, stream)
    structlog.configure(
        processors=[*_pre_chain(service, worker_id), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    install(handlers, settings.log_level)
    sys.excepthook = _log_uncaught
    return handlers


def _log_uncaught(kind: type[BaseException], error: BaseException, where: TracebackType | None) -> None:
    """A crash on the way out is one more JSON line, not a bare traceback among them."""
    log = logging.getLogger("uncaught")
    log.critical("the process stops: %s", kind.__name__, exc_info=(kind, error, where))


def install(handlers: list[logging.Handler], level: str) -> None:
    """The root logger writes through ``handlers`` only, at ``level`` (INFO when the name is unknown)."""
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.getLevelName(level.upper()) if level.upper() in _LEVELS else logging.INFO)


_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"})


def root_config(level: str) -> dict[str, Any]:
    """A ``dictConfig`` that keeps existing loggers and leaves the root's handlers to ``loghandlers``."""
    name = level.upper() if level.upper() in _LEVELS else "INFO"
    return {"version": 1, "disable_existing_loggers": False, "root": {"level": name, "handlers": []}}
