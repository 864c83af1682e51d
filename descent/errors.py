"""The one error type for bad user input: it names the field and what is allowed."""

from __future__ import annotations


class ScenarioError(ValueError):
    """Invalid input, e.g. `runs[0].hparams.learning_rate: must be a number in (0, 100], got 'abc'`."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)

    def within(self, prefix: str) -> "ScenarioError":
        """The same error with the field path prefixed (`runs[0].` + `hparams.epsilon`)."""
        field = f"{prefix}.{self.field}" if self.field and not self.field.startswith("[") else prefix + self.field
        return ScenarioError(field, self.message)
