"""Draw a balanced, repeatable set of questions: round-robin over topics, optionally weighted."""

from __future__ import annotations

import random

from codepipeline_lab.quiz.model import Question


def draw(questions: list[Question], count: int, seed: int, weights: dict[str, int] | None = None) -> list[Question]:
    """Take up to ``count`` questions, cycling through topics (a topic of weight 3 gives 3 per round)."""
    rng = random.Random(seed)
    pools: dict[str, list[Question]] = {}
    for question in sorted(questions, key=lambda q: q.id):
        pools.setdefault(question.topic, []).append(question)
    for pool in pools.values():
        rng.shuffle(pool)
    weight = {topic: max(1, (weights or {}).get(topic, 1)) for topic in pools}
    order = sorted(pools, key=lambda topic: (-weight[topic], topic))  # heavier topics first in each round
    rounds = [topic for topic in order for _ in range(weight[topic])]
    chosen: list[Question] = []
    while len(chosen) < count and any(pools.values()):
        for topic in rounds:
            if pools[topic] and len(chosen) < count:
                chosen.append(pools[topic].pop())
    rng.shuffle(chosen)
    return chosen
