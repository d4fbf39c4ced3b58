"""Every occupation's published AI-exposure figures: the shipped data, its loader and lookup."""

from content.occupations.data import (
    ATTRIBUTION,
    MEASURES,
    ORDERING,
    Figure,
    Measure,
    Occupation,
    OccupationData,
    load_occupations,
)
from content.occupations.lookup import Found, Match, OccupationIndex, shipped_index

__all__ = [
    "ATTRIBUTION",
    "MEASURES",
    "ORDERING",
    "Figure",
    "Found",
    "Match",
    "Measure",
    "Occupation",
    "OccupationData",
    "OccupationIndex",
    "load_occupations",
    "shipped_index",
]
