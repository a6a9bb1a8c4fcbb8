"""The recurring-incident detector, pure: groups of similar incidents of one service and category.

Incidents are bucketed by service and category, then joined when the
``token_set_ratio`` of their title and description (rapidfuzz, 0–100, word
order and repeated words ignored; compared as English word stems, by
snowballstemmer) reaches the threshold. A group is what such links join
(single linkage): A like B and B like C put all three together, which is how
a recurring fault reads in a desk's wording drift.
Groups smaller than ``min_size`` are not worth a problem and are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz, process

# Words every incident shares; left in, they make unrelated short titles look alike.
_STOPWORDS = """
a an and are as at be by can cannot does for from has have i in is it its keeps my not of on
or our please reports since the their there this to was we when will with
"""
STOPWORDS = frozenset(_STOPWORDS.split())
WORD = re.compile(r"[\w-]+")
MAX_BUCKET = 500  # the most recent incidents compared per service and category


@dataclass(frozen=True)
class IncidentText:
    """What the detector knows of an incident."""

    id: int
    service_id: int | None
    category: str
    title: str
    description: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class Group:
    """Similar incidents of one service and category, oldest first."""

    service_id: int | None
    category: str
    incident_ids: tuple[int, ...]
    similarity: int  # the mean score between the group's linked members
    title: str  # the title most of them share (the earliest on a tie)

    @property
    def key(self) -> str:
        return ",".join(str(i) for i in sorted(self.incident_ids))


_local = threading.local()


def _stemmer() -> Any:
    # A Snowball stemmer keeps state while it works: one per thread (pages run in a pool).
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("english")
    return _local.stemmer


def normalise(text: str) -> str:
    """Word stems without stop words: what two incidents are compared on.

    Stemming makes "disconnects", "disconnecting" and "disconnected" one word,
    as people describing the same fault write them.
    """
    words = [w for w in WORD.findall(text.casefold()) if w not in STOPWORDS]
    return " ".join(_stemmer().stemWords(words))


def similarity(a: str, b: str) -> int:
    """How alike two texts are, 0–100, after ``normalise``."""
    return round(fuzz.token_set_ratio(normalise(a), normalise(b)))


def find_groups(incidents: Iterable[IncidentText], *, threshold: int, min_size: int) -> list[Group]:
    """The groups of similar incidents, largest first."""
    buckets: dict[tuple[int | None, str], list[IncidentText]] = defaultdict(list)
    for incident in incidents:
        buckets[(incident.service_id, incident.category)].append(incident)
    groups = []
    for (service_id, category), members in buckets.items():
        if len(members) < min_size:
            continue
        members = sorted(members, key=_age)[-MAX_BUCKET:]
        for cluster, score in _clusters(members, threshold):
            if len(cluster) >= min_size:
                groups.append(
                    Group(
                        service_id=service_id,
                        category=category,
                        incident_ids=tuple(i.id for i in cluster),
                        similarity=score,
                        title=_common_title(cluster),
                    )
                )
    return sorted(groups, key=lambda g: (-len(g.incident_ids), -g.similarity, g.key))


def _age(incident: IncidentText) -> tuple[dt.datetime, int]:
    return (incident.created_at or dt.datetime.min, incident.id)


def _clusters(members: list[IncidentText], threshold: int) -> list[tuple[list[IncidentText], int]]:
    texts = [normalise(f"{m.title} {m.description}") for m in members]
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: list[tuple[int, int, float]] = []
    for i, text in enumerate(texts):
        later = texts[i + 1 :]
        found = process.extract(
            text, later, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=None
        )
        for _, score, offset in found:
            j = i + 1 + offset
            links.append((i, j, score))
            parent[root(i)] = root(j)
    scores: dict[int, list[float]] = defaultdict(list)
    for i, _, score in links:
        scores[root(i)].append(score)
    clusters: dict[int, list[IncidentText]] = defaultdict(list)
    for i, member in enumerate(members):
        clusters[root(i)].append(member)
    return [
        (cluster, round(sum(scores[r]) / len(scores[r])) if scores[r] else 100)
        for r, cluster in clusters.items()
        if len(cluster) > 1
    ]


def _common_title(cluster: list[IncidentText]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for incident in cluster:
        counts[incident.title.strip()] += 1
    best = max(counts.values())
    return next(i.title.strip() for i in cluster if counts[i.title.strip()] == best)
