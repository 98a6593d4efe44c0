"""Named numpy columns of one length: the form a run's facts are kept in and the KPIs read.

A KPI is a few numpy operations on these columns, without the fixed cost pandas adds to each
operation (a short run's KPIs are thousands of them); a DataFrame is built only when someone
asks for a table (``Table.frame``). A column of labels (segment, sku, mode...) is held as
integer codes into its ``categories``; code -1 is no label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd


def constant(value: object, length: int, dtype: type | np.dtype) -> np.ndarray:
    """A read-only column of ``length`` rows that all hold ``value``, in no memory per row."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (length,))


def is_constant(column: np.ndarray) -> bool:
    """Whether the column is held as one value (``constant``)."""
    return column.ndim == 1 and column.strides == (0,) and len(column) > 1


def compact(column: np.ndarray) -> np.ndarray:
    """The column as one value (``constant``) when every row holds the same bits (most of a
    long run's columns, in a scenario without that feature: no channels, no returns...), else
    the column itself. Bits, not values: -0.0 and 0.0 differ, and NaN is equal to itself."""
    if len(column) < 2 or is_constant(column) or column.dtype.kind not in "biuf":
        return column
    bits = column.view(f"u{column.dtype.itemsize}")
    if (bits == bits[0]).all():
        return constant(column[0], len(column), column.dtype)
    return column


def compacted(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every column compacted (``compact``)."""
    return {name: compact(column) for name, column in columns.items()}


class Table:
    """Columns of equal length, each row numbered by ``index`` (its row in the whole log).

    ``rows`` selects without copying: a selected table takes a column from the whole log the
    first time it is read, so selecting orders and reading three of their thirty columns
    copies three.
    """

    __slots__ = ("_base", "_numbers", "_picked", "_taken", "categories", "index_name", "length")

    def __init__(
        self,
        columns: Mapping[str, np.ndarray],
        categories: Mapping[str, Sequence[str]] | None = None,
        index_name: str | None = None,
        length: int = 0,
        numbers: np.ndarray | None = None,
    ) -> None:
        self._base = dict(columns)
        for column in self._base.values():
            column.flags.writeable = (
                False  # facts: tables share columns (an order's and its line's)
            )
        self._numbers = numbers
        """each row's number in the whole log (None: its position)"""
        self._picked: np.ndarray | None = None
        """the rows of ``_base`` this table holds (None: all of them)"""
        self._taken: dict[str, np.ndarray] = {}
        self.categories = {name: list(labels) for name, labels in (categories or {}).items()}
        self.index_name = index_name
        first = next(iter(self._base.values()), None)
        self.length = length if first is None else len(first)

    def __len__(self) -> int:
        return self.length

    def __contains__(self, name: object) -> bool:
        return name in self._base

    @property
    def columns(self) -> list[str]:
        return list(self._base)

    @property
    def empty(self) -> bool:
        return self.length == 0

    @property
    def index(self) -> np.ndarray:
        """Each row's number in the whole log (an order's number, a line's)."""
        numbers = self._numbers
        if self._picked is None:
            return np.arange(self.length) if numbers is None else numbers
        return self._picked if numbers is None else numbers[self._picked]

    def __getitem__(self, name: str) -> np.ndarray:
        if self._picked is None:
            return self._base[name]
        column = self._taken.get(name)
        if column is None:
            whole = self._base[name]
            # a constant stays one value: its first rows are the same value
            picked = whole[: self.length] if is_constant(whole) else whole[self._picked]
            column = self._taken[name] = picked
        return column

    def code(self, name: str, label: str) -> int:
        """The code of ``label`` in a column of labels (-2, matching no row, if it has none)."""
        labels = self.categories[name]
        return labels.index(label) if label in labels else -2

    def is_(self, name: str, label: str) -> np.ndarray:
        """Rows whose column ``name`` holds ``label``."""
        return self[name] == self.code(name, label)

    def isin(self, name: str, labels: Sequence[str]) -> np.ndarray:
        """Rows whose column ``name`` holds one of ``labels``."""
        return np.isin(self[name], [self.code(name, label) for label in labels])

    def mapped(self, name: str, values: Mapping[str, float], missing: float = np.nan) -> np.ndarray:
        """Per row, ``values`` of its label in column ``name`` (``missing`` for none)."""
        lookup = np.asarray(
            [values.get(label, missing) for label in self.categories[name]] + [missing],
            dtype=float,
        )
        return lookup[self[name]]  # code -1 reads the last entry: missing

    def rows(self, selector: np.ndarray) -> Table:
        """The rows where a boolean ``selector`` is true, or at integer positions."""
        if selector.dtype == bool and selector.all():
            return self  # every row (a run without warm-up counts every order): no copies
        positions = np.flatnonzero(selector) if selector.dtype == bool else selector
        picked = Table(self._base, None, self.index_name, 0, self._numbers)
        picked.categories = self.categories  # shared: a table's labels never change
        picked._picked = positions if self._picked is None else self._picked[positions]
        picked.length = len(positions)
        return picked

    def with_columns(
        self,
        columns: Mapping[str, np.ndarray],
        categories: Mapping[str, Sequence[str]] | None = None,
    ) -> Table:
        """This table's rows with more columns (``categories``: of those holding labels), those
        holding one value kept as that value (``compact``)."""
        own = {name: self[name] for name in self._base}
        numbers = None if self._picked is None and self._numbers is None else self.index
        return Table(
            {**own, **compacted(columns)},
            {**self.categories, **(categories or {})},
            self.index_name,
            self.length,
            numbers,
        )

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame: label columns categorical, indexed by row number."""
        data = {
            name: pd.Categorical.from_codes(self[name], self.categories[name])
            if name in self.categories
            else self[name]
            for name in self._base
        }
        index = (
            pd.RangeIndex(self.length, name=self.index_name)
            if self._picked is None and self._numbers is None
            else pd.Index(self.index, name=self.index_name)
        )
        # a copy: the user's to change, while the log's columns are facts the KPIs read
        return pd.DataFrame(data, index=index, copy=True)
