"""Small networks on 2D data: seeded classification data sets and a multilayer perceptron.

    >>> import network
    >>> data = network.make_dataset("moons", size=200, noise=0.2, seed=0, validation=0.2)
    >>> data.x_train.shape, data.x_val.shape
    ((160, 2), (40, 2))
    >>> mlp = network.MLP(hidden=(16, 16), activation="tanh")
    >>> mlp.size
    337

Like `landscapes/`, this package is pure data and pure JAX functions with metadata; the engine
(`descent.training`) trains it with the optimizer zoo.
"""

from network.datasets import DATASETS, Dataset, DatasetSpec, make_dataset
from network.mlp import ACTIVATIONS, MLP, glorot_limit

__all__ = ["ACTIVATIONS", "DATASETS", "MLP", "Dataset", "DatasetSpec", "glorot_limit", "make_dataset"]
