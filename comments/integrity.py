"""Checks that every comment tree is a valid nested set (used by tests and an operator command)."""

from __future__ import annotations

from collections import defaultdict

from comments.models import Comment
from comments.tree import ROOT_LEFT


def tree_problems(article_id: int | None = None) -> list[str]:
    """Describe every broken tree: not exactly one root (at lft 1, level 0), labels used twice,
    a comment not nested inside its parent or overlapping a sibling, a wrong level. Labels may
    have room between them (comments.tree). An empty list means all trees are sound."""
    rows = Comment.objects.all()
    if article_id is not None:
        rows = rows.filter(article_id=article_id)
    trees: dict[int, list[tuple]] = defaultdict(list)
    for row in rows.values_list("pk", "parent_id", "tree_id", "lft", "rght", "level").order_by(
        "tree_id", "lft"
    ):
        trees[row[2]].append(row)
    problems = []
    for tree_id, nodes in trees.items():
        roots = [n for n in nodes if n[1] is None]
        if len(roots) != 1:
            problems.append(f"tree {tree_id}: {len(roots)} roots")
            continue
        root = roots[0]
        if root[3] != ROOT_LEFT or root[5] != 0 or nodes[0] is not root:
            problems.append(f"tree {tree_id}: root {root[0]} has bad bounds or level")
        labels = [n[3] for n in nodes] + [n[4] for n in nodes]
        if len(set(labels)) != len(labels):
            problems.append(f"tree {tree_id}: a label is used twice")
        problems.extend(_nesting_problems(nodes))
    return problems


def _nesting_problems(nodes: list[tuple]) -> list[str]:
    """Walk one tree in lft order with the chain of open comments: each comment must lie inside
    the innermost open one, which must be its parent."""
    problems = []
    open_chain: list[tuple] = []
    for pk, parent_id, _, lft, rght, level in nodes:
        if lft >= rght:
            problems.append(f"comment {pk}: lft {lft} >= rght {rght}")
        while open_chain and open_chain[-1][4] < lft:
            open_chain.pop()
        if parent_id is None:
            open_chain.append((pk, parent_id, None, lft, rght, level))
            continue
        enclosing = open_chain[-1] if open_chain else None
        if enclosing is None or enclosing[0] != parent_id or not rght < enclosing[4]:
            problems.append(f"comment {pk}: not inside its parent {parent_id}")
        elif level != enclosing[5] + 1:
            problems.append(f"comment {pk}: level {level}, parent's {enclosing[5]}")
        open_chain.append((pk, parent_id, None, lft, rght, level))
    return problems
