"""The dashboard's widgets: the sortable workers table, the queues table and the text panels.

Each widget is redrawn in place from a snapshot; the workers table keeps its
cursor on the same worker across refreshes and re-sorts, so an operator who
picked a row does not lose it every few seconds.
"""

from collections.abc import Sequence

from textual.widgets import DataTable, Static

from client.top.columns import COLUMNS, Column, sort_workers
from client.top.panels import queue_rows
from schemas.monitoring import QueuesView, WorkerView


class WorkersTable(DataTable[str]):
    """One row per worker, keyed by worker id, in the order of the chosen column."""

    def __init__(self) -> None:
        super().__init__(id="workers", cursor_type="row", zebra_stripes=True)
        self.sort_index = 0
        self.shown_workers: Sequence[WorkerView] = ()

    @property
    def sort_column(self) -> Column:
        """The column the rows are ordered by."""
        return COLUMNS[self.sort_index]

    def next_sort(self) -> None:
        """Order by the next column (the ``s`` key), wrapping around."""
        self.sort_index = (self.sort_index + 1) % len(COLUMNS)
        self.show(self.shown_workers)

    def selected_id(self) -> str | None:
        """The worker id under the cursor, if any row is there."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def row_ids(self) -> list[str]:
        """The worker ids in display order."""
        return [str(row.key.value) for row in self.ordered_rows]

    def show(self, workers: Sequence[WorkerView]) -> None:
        """Redraw from ``workers``, the cursor staying on the worker it was on."""
        keep = self.selected_id()
        self.shown_workers = workers
        self.clear(columns=True)
        for i, column in enumerate(COLUMNS):
            mark = (" ▼" if column.descending else " ▲") if i == self.sort_index else ""
            self.add_column(column.title + mark, key=column.title)
        ordered = sort_workers(workers, self.sort_column)
        for worker in ordered:
            self.add_row(*(column.cell(worker) for column in COLUMNS), key=worker.worker_id)
        ids = [w.worker_id for w in ordered]
        if keep in ids:
            self.move_cursor(row=ids.index(keep))


class QueuesTable(DataTable[str]):
    """Partitions, retained messages and lag per topic and consumer group."""

    def __init__(self) -> None:
        super().__init__(id="queues", cursor_type="none", zebra_stripes=True)

    def show(self, queues: QueuesView) -> None:
        """Redraw from one queues answer."""
        self.clear(columns=True)
        self.add_columns("topic", "parts", "messages", "group", "lag")
        for row in queue_rows(queues):
            self.add_row(*row)


class Panel(Static):
    """A titled block of text lines."""

    def __init__(self, title: str, panel_id: str) -> None:
        super().__init__(id=panel_id, markup=False)
        self.border_title = title

    def show(self, lines: Sequence[str]) -> None:
        """Replace the text."""
        self.update("\n".join(lines))
