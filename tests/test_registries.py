"""The Filter, Metric and Page registries are complete: every filter states its condition on every dataset (and
that condition runs on the dataset's view), every figure a read returns is a registered metric, every page
has one address."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import pytest

from analytics import budget, metrics
from analytics.filters import DATASETS, FILTER_KEYS, FILTERS, Filters, where
from analytics.sql import rows
from app.pages import PAGE_FILES, PAGES, URL_PATHS
from tests.fixtures import ANGOLA, PLAN_A
from tests.test_queries import HEALTH

#: each dataset's view as the reads query it (sub-outputs: joined to the sub-outputs with a budget line)
FROM = {
    "budget": "budget",
    "indicators": "indicator_values",
    "actions": "actions",
    "submissions": "submissions",
    "suboutputs": "suboutput_list s " + budget._FUNDED,
    "indirect_costs": "indirect_costs",
}
#: one value per filter field, each matching some of the seeded data
ONE_EACH = {
    "country": ANGOLA,
    "plan": PLAN_A,
    "outcome": HEALTH,
    "agency": "UNDP",
    "year_from": 2024,
    "year_to": 2025,
    "as_of": dt.date(2025, 9, 30),
    "current_plans": True,
}


def test_every_filter_states_its_condition_on_every_dataset():
    assert set(FROM) == set(DATASETS)
    for flt in FILTERS:
        assert set(flt.where) == set(DATASETS), flt.key
        assert set(flt.notes) <= set(DATASETS), flt.key


def test_the_filters_cover_every_field_once():
    covered = [name for flt in FILTERS for name in flt.fields]
    assert sorted(covered) == sorted(f.name for f in fields(Filters))
    assert len(set(FILTER_KEYS)) == len(FILTER_KEYS)


def test_an_unknown_dataset_is_an_error():
    with pytest.raises(ValueError, match="unknown dataset 'budgets'"):
        where("budgets", Filters(country=ANGOLA))


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("flt", FILTERS, ids=lambda flt: flt.key)
def test_each_filter_condition_runs_on_its_view(seeded_db, dataset, flt):
    f = Filters(**{name: ONE_EACH[name] for name in flt.fields})
    w = where(dataset, f)
    if flt.widget == "date":  # as of a date: no condition, the rows' source changes (store.history; test_as_of.py)
        assert not w.clauses
        return
    assert bool(w.clauses) == (flt.where[dataset] is not None)
    everything = rows(seeded_db, f"SELECT count(*) FROM {FROM[dataset]}")[0][0]
    narrowed = rows(seeded_db, f"SELECT count(*) FROM {FROM[dataset]}{w.sql()}", w.params)[0][0]
    assert narrowed <= everything
    if flt.widget == "toggle":  # each seeded country has one plan, years to 2025: all current (test_first_seconds)
        assert narrowed == everything
    elif dataset == "budget":  # the seeded budget has lines in and out of each value
        assert 0 < narrowed < everything
    if flt.where[dataset] is None:  # a filter that does not apply leaves its dataset whole
        assert narrowed == everything
        assert f.applying_to(dataset) == Filters()
    else:
        assert f.applying_to(dataset) == f


def test_every_budget_figure_is_a_registered_metric(seeded_db):
    totals = budget.totals(seeded_db, Filters())
    for m in metrics.BUDGET:
        assert m.name in totals
        assert metrics.METRICS[m.name] is m
    assert set(metrics.RATE_COLUMNS) == {name for name, m in metrics.METRICS.items() if m.unit == "%"}
    assert metrics.BUDGET_HEADERS["required"] == "Required (USD)"
    assert metrics.METRICS["coverage"].header == "Coverage (%)"
    assert metrics.METRICS["lines"].header == "Budget lines"


def test_every_page_has_one_address():
    assert len(set(URL_PATHS)) == len(PAGES)
    assert sum(p.default for p in PAGES) == 1
    assert set(PAGE_FILES) <= set(URL_PATHS)
