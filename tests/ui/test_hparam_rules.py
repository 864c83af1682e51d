"""The run editor refuses an edit that breaks a framework's rule, with the rule's own words
(from the optimizer's spec, the one place the rule is written), and puts the widget back."""

from __future__ import annotations

from dataclasses import replace

import optimizers
from optimizers.spec import Rule
from tests.ui.apptest import app, clean
from ui import state


def test_nesterov_without_momentum_in_pytorch_is_put_back_with_the_specs_message(monkeypatch):
    sgd = optimizers.get("sgd")
    rule = Rule("pytorch", "nesterov", lambda hp: not hp["nesterov"] or hp["momentum"] > 0, "needs momentum (from the spec)")
    monkeypatch.setitem(optimizers.BY_ID, "sgd", replace(sgd, rules=(rule,)))
    at = app({"landscape": "booth", "r0.optimizer": "sgd", "r0.flavour": "pytorch", "r0.learning_rate": "0.01"})
    at.session_state["g0:r0:editor"] = True
    at.run()
    toggle = "g0:r0:sgd:pytorch:nesterov"
    at.toggle(key=toggle).set_value(True).run()
    clean(at)
    assert [i.value for i in at.info] == [f"That change was not applied: hparams.nesterov: {rule.message}."]
    assert at.session_state[state.SCENE].runs[0].hparams.get("nesterov", False) is False
    assert [t.value for t in at.toggle if t.key and t.key.startswith(toggle)] == [False]  # put back
    # With momentum the same edit goes through.
    at = app({"landscape": "booth", "r0.optimizer": "sgd", "r0.flavour": "pytorch", "r0.momentum": "0.9"})
    at.session_state["g0:r0:editor"] = True
    at.run()
    at.toggle(key=toggle).set_value(True).run()
    clean(at)
    assert not at.info and at.session_state[state.SCENE].runs[0].hparams["nesterov"] is True
