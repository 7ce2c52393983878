"""The processors' own control action: ``pool_restart``, which replaces every lint process.

A pool that misbehaves (leaking memory, a wedged SQLFluff import after an
upgrade on the host) can be renewed without stopping the worker or giving up
its partitions: new processes take the next files while the old ones finish
the files they hold. The kit carries out the other actions.
"""

from processors.resources import ProcessorResources
from runtime.faust.control import ControlHandler
from schemas.worker_events import ControlAction


def processor_controls(resources: ProcessorResources) -> dict[ControlAction, ControlHandler]:
    """The actions the processors add to the kit's, bound to this worker's resources."""

    async def pool_restart() -> str:
        old, new = await resources.pool.restart()
        return f"lint processes {list(old)} replaced by {list(new)}"

    return {"pool_restart": pool_restart}
