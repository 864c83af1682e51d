"""Where the app's page links go: hidden in lecture mode and when embedded."""

import pytest

from ui import navigation


@pytest.mark.parametrize("query, where", [
    ({}, "top"), ({"lecture": "1"}, "hidden"), ({"lecture": "true"}, "hidden"), ({"lecture": "0"}, "top"),
    ({"embed": "true"}, "hidden"), ({"embed": "false", "lesson": "ravine"}, "top"),
])  # fmt: skip
def test_navigation_is_hidden_in_lecture_mode_and_embedded(query, where):
    assert navigation.position(query) == where

