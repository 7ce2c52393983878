"""One finding of the configuration check, always tied to the variable an operator must fix."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A variable and what is wrong with it; printed as one line so CI logs and grep stay useful."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"
