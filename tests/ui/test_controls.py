"""The sidebar's labels."""

from __future__ import annotations

import optimizers
from ui.controls import hparam_label


def test_every_hyperparameter_label_is_plain_text():
    # A $...$ label is typeset by KaTeX on every redraw of its run's editor (every edit of the run).
    labels = {hparam_label(hp) for oid in optimizers.ids() for spec in [optimizers.get(oid)]
              for flavour in spec.flavours for hp in spec.hparams_for(flavour)}  # fmt: skip
    assert labels, "no hyperparameters found"
    assert not [label for label in labels if "$" in label]
    assert "learning_rate (η)" in labels and "beta1 (β₁)" in labels
