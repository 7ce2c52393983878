"""How the dashboard writes ages, sizes, rates and shares: short, fixed-width friendly, never raising.

A terminal column is narrow and refreshes every few seconds, so each value is
written in the fewest characters that still read at a glance, and a missing
value is a dash rather than an error that would blank the whole screen.
"""

DASH = "-"
_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def age(seconds: float | None) -> str:
    """``4s``, ``2m05s``, ``3h07m``, ``2d04h``: how long ago, to the unit that matters."""
    if seconds is None:
        return DASH
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def size(n_bytes: int | None) -> str:
    """``512 B``, ``1.5 MiB``, ``12 GiB``: binary units, one decimal below ten."""
    if n_bytes is None:
        return DASH
    value = float(max(0, n_bytes))
    for unit in _UNITS:
        if value < 1024 or unit == _UNITS[-1]:
            break
        value /= 1024
    if unit == "B":
        return f"{int(value)} B"
    return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"


def rate(per_minute: float | None) -> str:
    """``12/min``, ``0.5/min``; a dash until two samples make a rate."""
    if per_minute is None:
        return DASH
    return f"{per_minute:.1f}/min" if per_minute < 10 else f"{per_minute:.0f}/min"


def percent(value: float | None) -> str:
    """``42%``: a share already in percent."""
    return DASH if value is None else f"{value:.0f}%"


def used_of(used: int | None, total: int | None) -> str:
    """``3.1 GiB/16 GiB (19%)``: how much of a resource is taken."""
    if used is None or not total:
        return size(used)
    return f"{size(used)}/{size(total)} ({percent(100 * used / total)})"
