"""LinearModel's in-place edits (what a sweep changes between points) and their guards."""

from __future__ import annotations

import numpy as np
import pytest

from gasmix.optimizer.lp.linear_model import LinearModel
from gasmix.optimizer.lp.solvers import HighsSession


def two_rows() -> tuple[LinearModel, object, object]:
    # min x + 2y  s.t.  x + y >= 10 (demand),  x - 0.5·y <= 0 (a share-like row)
    m = LinearModel()
    m.add_variables("v", ["x", "y"], cost=[1.0, 2.0])
    demand = m.add_rows("demand", ["d"], ">=", [0, 0], [0, 1], [1.0, 1.0], 10.0)
    share = m.add_rows("share", ["s"], "<=", [0, 0], [0, 1], [1.0, -0.5], 0.0)
    return m, demand, share


def test_edits_reach_the_solver_and_the_activity():
    m, demand, share = two_rows()
    session = HighsSession(m, track_changes=True)
    # x ≤ 0.5·y and x + y = 10 at the optimum: y = 20/3, x = 10/3, cost 50/3
    assert session.run().objective == pytest.approx(50 / 3)
    m.set_coefficients([share.start], [1], [-1.0])  # x ≤ y: x = y = 5, cost 15
    assert session.run().objective == pytest.approx(15.0)
    m.set_rhs(demand, 20.0)  # twice the demand: x = y = 10, cost 30
    result = session.run()
    assert result.objective == pytest.approx(30.0)
    assert m.row_activity(result.x) == pytest.approx([20.0, 0.0])
    m.set_row_bounds([share.start], -np.inf, np.inf)  # the share row switched off: all x
    assert session.run().objective == pytest.approx(20.0)


def test_a_switched_off_row_is_left_out_of_the_pulp_problem():
    m, _, share = two_rows()
    m.set_row_bounds([share.start], -np.inf, np.inf)
    problem, _, constraints = m.to_pulp()
    assert constraints[share.start] is None
    assert sum(c is not None for c in constraints) == 1 == problem.numConstraints()


def test_an_entry_not_in_the_matrix_cannot_be_set():
    m = LinearModel()
    m.add_variables("v", ["x", "y"])
    m.add_rows("r", ["a"], "<=", [0], [0], [1.0], 1.0)  # y is not in the row
    with pytest.raises(KeyError):
        m.set_coefficients([0], [1], [2.0])


def test_growing_the_model_after_an_in_place_edit_is_refused():
    # The edit lives in the cached arrays; rebuilding them for new rows would drop it.
    m, _, share = two_rows()
    m.set_coefficients([share.start], [1], [-1.0])
    with pytest.raises(RuntimeError, match="edited in place"):
        m.add_rows("more", ["m"], "<=", [0], [0], [1.0], 5.0)
    with pytest.raises(RuntimeError, match="edited in place"):
        m.add_variables("w", ["z"])


def test_an_assembled_matrix_frees_its_triplets_and_grows_back_from_them():
    # The solver only needs the CSR; the triplets go once it is assembled, and a model that
    # grows afterwards (a row, then a column in that row) must still hold every entry.
    grown, _, _ = two_rows()
    before = [a.copy() for a in grown.csr()]
    assert grown.triplets == []
    grown.add_rows("cap", ["c"], "<=", [0], [1], [1.0], 4.0)          # y ≤ 4
    z = grown.add_variables("w", ["z"], cost=[3.0])
    grown.add_rows("more", ["m"], ">=", [0, 0], [0, int(z[0])], [1.0, 1.0], 1.0)  # x + z ≥ 1
    whole = LinearModel()
    whole.add_variables("v", ["x", "y"], cost=[1.0, 2.0])
    whole.add_rows("demand", ["d"], ">=", [0, 0], [0, 1], [1.0, 1.0], 10.0)
    whole.add_rows("share", ["s"], "<=", [0, 0], [0, 1], [1.0, -0.5], 0.0)
    whole.add_rows("cap", ["c"], "<=", [0], [1], [1.0], 4.0)
    whole.add_variables("w", ["z"], cost=[3.0])
    whole.add_rows("more", ["m"], ">=", [0, 0], [0, 2], [1.0, 1.0], 1.0)
    for got, want in zip(grown.csr(), whole.csr()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(before[0], whole.csr()[0][:3])
    # x + y ≥ 10, x ≤ y/2, y ≤ 4 is infeasible: the grown model is the whole model
    assert HighsSession(grown).run().status == "infeasible"


def test_grid_labels_read_like_the_list_of_tuples():
    from gasmix.optimizer.lp.linear_model import LabelGrid
    grid = LabelGrid(["a", "b", "c"], ["p1", "p2"])
    as_list = [(i, p) for i in ["a", "b", "c"] for p in ["p1", "p2"]]
    assert list(grid) == as_list and len(grid) == 6
    assert [grid[k] for k in range(-6, 6)] == as_list + as_list
    assert grid[::2] == as_list[::2] and grid[1:4] == as_list[1:4]
    assert list(zip(*grid)) == list(zip(*as_list))
    with pytest.raises(IndexError):
        grid[6]
