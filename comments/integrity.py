"""Checks that every comment tree is a valid nested set (used by tests and an operator command)."""

from __future__ import annotations

from collections import defaultdict

from comments.models import Comment


def tree_problems(article_id: int | None = None) -> list[str]:
    """Describe every broken tree: shared or gapped tree ids, bad lft/rght, wrong parents or
    levels. An empty list means all trees are sound."""
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
        by_pk = {n[0]: n for n in nodes}
        bounds = sorted([n[3] for n in nodes] + [n[4] for n in nodes])
        if bounds != list(range(1, 2 * len(nodes) + 1)):
            problems.append(f"tree {tree_id}: lft/rght are not 1..{2 * len(nodes)}")
        root = roots[0]
        if root[3] != 1 or root[4] != 2 * len(nodes) or root[5] != 0:
            problems.append(f"tree {tree_id}: root {root[0]} has bad bounds or level")
        for pk, parent_id, _, lft, rght, level in nodes:
            if lft >= rght:
                problems.append(f"comment {pk}: lft {lft} >= rght {rght}")
            if parent_id is None:
                continue
            parent = by_pk.get(parent_id)
            if parent is None:
                problems.append(f"comment {pk}: parent {parent_id} is in another tree")
                continue
            if not (parent[3] < lft and rght < parent[4]):
                problems.append(f"comment {pk}: not inside its parent {parent_id}")
            if level != parent[5] + 1:
                problems.append(f"comment {pk}: level {level}, parent's {parent[5]}")
    return problems
