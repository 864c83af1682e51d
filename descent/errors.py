"""The one error type for bad user input: it names the field and what is allowed."""

from __future__ import annotations

from params import ParamError


class ScenarioError(ParamError):
    """Invalid input, e.g. `runs[0].hparams.learning_rate: must be a number in (0, 100], got 'abc'`.

    A parameter record's own error (params.ParamError) is turned into this one at the edge, with
    the same field and message."""

    def within(self, prefix: str) -> ScenarioError:
        """The same error with the field path prefixed (`runs[0].` + `hparams.epsilon`)."""
        field = f"{prefix}.{self.field}" if self.field and not self.field.startswith("[") else prefix + self.field
        return ScenarioError(field, self.message)
