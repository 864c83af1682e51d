"""ui.maps_bench: the links the maps benchmark opens ask for the maps the issue sizes, and its
"new values" request is a map the server has not computed yet."""

from __future__ import annotations

from ui import links, maps_bench, maps_view


def test_each_link_asks_for_the_map_the_issue_sizes():
    sizes = {}
    for case in maps_bench.cases():
        for changed in (False, True):
            parsed = links.parse(case.link(changed))
            assert parsed.warnings == []
            assert parsed.options.view == "Map"  # the click on "Maps" is the request
            assert parsed.scenario.steps == 1000
            record_key = maps_view.map_key(parsed.scenario, 0, parsed.options.maps)
            kind = record_key[0]
            if kind == "hyper":
                x, y = record_key[3], record_key[4]
                sizes[kind] = (x.n, y.n, x.name, y.name, x.log)
            elif kind == "basin":
                sizes[kind] = record_key[3]
            else:
                sizes[kind] = (len(parsed.scenario.runs), record_key[3])
    assert sizes == {"hyper": (200, 200, "learning_rate", "beta1", True), "basin": 512, "tune": (4, 64)}


def test_the_new_values_request_is_another_map():
    for case in maps_bench.cases():
        keys = []
        for changed in (False, True):
            parsed = links.parse(case.link(changed))
            keys.append(maps_view.map_key(parsed.scenario, 0, parsed.options.maps))
        assert keys[0] != keys[1], case.name
