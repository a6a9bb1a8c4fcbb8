"""Impact × urgency → priority: the organisation's matrix, or the default where it has none."""

from __future__ import annotations

import hashlib

from accord import Organisation

from .choices import IMPACTS, URGENCIES
from .models import PriorityCell

# Rows are impact 1 (extensive) to 4 (minor); columns urgency 1 (critical) to 4 (low).
DEFAULT = (
    (1, 1, 2, 3),
    (1, 2, 3, 3),
    (2, 3, 3, 4),
    (3, 3, 4, 4),
)

Matrix = dict[tuple[int, int], int]


def default_matrix() -> Matrix:
    return {(i, u): DEFAULT[i - 1][u - 1] for i in IMPACTS for u in URGENCIES}


def matrix_for(org: Organisation) -> Matrix:
    """Every cell of ``org``'s matrix: its own where it set one, else the default."""
    cells = default_matrix()
    for cell in PriorityCell.in_org(org):
        cells[(int(cell.impact), int(cell.urgency))] = int(cell.priority)
    return cells


def priority_for(org: Organisation, impact: int, urgency: int) -> int:
    cell = PriorityCell.get_or_none(
        (PriorityCell.org == org)
        & (PriorityCell.impact == int(impact))
        & (PriorityCell.urgency == int(urgency))
    )
    if cell is not None:
        return int(cell.priority)
    return DEFAULT[int(impact) - 1][int(urgency) - 1]


def fingerprint(cells: Matrix) -> str:
    """Changes whenever any cell changes: the matrix form's stale-edit check."""
    text = ";".join(f"{i}{u}{p}" for (i, u), p in sorted(cells.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_matrix(org: Organisation, wanted: Matrix) -> int:
    """Store ``wanted``, keeping rows only where it differs from the default; count changes."""
    current = matrix_for(org)
    defaults = default_matrix()
    rows = {(int(c.impact), int(c.urgency)): c for c in PriorityCell.in_org(org)}
    changed = 0
    for key, priority in wanted.items():
        if current.get(key) == priority:
            continue
        changed += 1
        row = rows.get(key)
        if priority == defaults[key]:
            if row is not None:
                row.delete_instance()
        elif row is None:
            PriorityCell.create(org=org, impact=key[0], urgency=key[1], priority=priority)
        else:
            row.priority = priority
            row.save()
    return changed
