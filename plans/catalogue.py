"""The plan catalogue: plans, billing periods and feature names, as plain values.

The shipped default lives in catalogue.json; the app seeds its `plans` table from it
and later builds a Catalogue from the (admin-edited) rows with `Catalogue.from_dicts`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

DEFAULT_CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
FREE = "free"  # the plan an unpaid account falls back to
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Plan:
    code: str
    names: Mapping[str, str] = field(hash=False)
    price_per_year: Decimal  # net PLN
    documents_per_month: int
    users: int
    archive_months: int | None  # None = the whole archive
    features: frozenset[str]
    position: int = 0

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get(FALLBACK_LANGUAGE) or self.code

    def has(self, feature: str) -> bool:
        return feature in self.features

    @property
    def is_free(self) -> bool:
        return self.price_per_year == 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        """Accepts the JSON shape or a DB row turned into a dict; extra keys are ignored."""
        price = Decimal(str(data["price_per_year"]))
        if price < 0:
            raise ValueError(f"plan {data['code']!r}: negative price")
        archive = data.get("archive_months")
        return cls(
            code=data["code"],
            names=MappingProxyType(dict(data.get("names") or {})),
            price_per_year=price.quantize(Decimal("0.01")),
            documents_per_month=int(data["documents_per_month"]),
            users=int(data["users"]),
            archive_months=None if archive is None else int(archive),
            features=frozenset(data.get("features") or ()),
            position=int(data.get("position") or 0),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, the shape of catalogue.json (for seeding rows)."""
        return {
            "code": self.code,
            "names": dict(self.names),
            "price_per_year": str(self.price_per_year),
            "documents_per_month": self.documents_per_month,
            "users": self.users,
            "archive_months": self.archive_months,
            "features": sorted(self.features),
            "position": self.position,
        }


@dataclass(frozen=True)
class Catalogue:
    plans: tuple[Plan, ...]  # in display order
    # months -> discount rate (Decimal("0.10") = 10%)
    billing_periods: Mapping[int, Decimal] = field(hash=False)
    feature_names: Mapping[str, Mapping[str, str]] = field(hash=False)

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    def get(self, code: str) -> Plan | None:
        return next((plan for plan in self.plans if plan.code == code), None)

    def __getitem__(self, code: str) -> Plan:
        plan = self.get(code)
        if plan is None:
            raise KeyError(code)
        return plan

    @property
    def free(self) -> Plan:
        return self[FREE]

    @property
    def feature_keys(self) -> frozenset[str]:
        return frozenset(self.feature_names)

    def feature_name(self, key: str, lang: str) -> str:
        names = self.feature_names.get(key, {})
        return names.get(lang) or names.get(FALLBACK_LANGUAGE) or key

    def cheapest_with(self, features: Iterable[str], *, min_users: int = 0) -> Plan | None:
        """The lowest-priced plan offering all `features` (ties: catalogue order)."""
        wanted = frozenset(features)
        fitting = [p for p in self.plans if wanted <= p.features and p.users >= min_users]
        return min(fitting, key=lambda p: (p.price_per_year, p.position), default=None)

    @classmethod
    def from_dicts(
        cls,
        plans: Iterable[Mapping[str, Any]],
        *,
        billing_periods: Mapping[int, Decimal] | None = None,
        feature_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Catalogue:
        """Build from plan rows; periods and feature names default to the shipped ones."""
        built = sorted((Plan.from_dict(p) for p in plans), key=lambda p: (p.position, p.code))
        codes = [p.code for p in built]
        if len(codes) != len(set(codes)):
            raise ValueError(f"duplicate plan codes in {codes}")
        if FREE not in codes:
            raise ValueError(f"the catalogue needs a {FREE!r} plan to fall back to")
        if billing_periods is None or feature_names is None:
            default = load_catalogue()
            billing_periods = default.billing_periods if billing_periods is None else billing_periods
            feature_names = default.feature_names if feature_names is None else feature_names
        return cls(
            plans=tuple(built),
            billing_periods=MappingProxyType(dict(billing_periods)),
            feature_names=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in feature_names.items()}),
        )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue from a JSON file (default: the shipped catalogue.json)."""
    return _default_catalogue() if path is None else _parse(Path(path))


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    # Cached: it is immutable, and from_dicts asks for its defaults on every build.
    return _parse(DEFAULT_CATALOGUE_PATH)


def _parse(path: Path) -> Catalogue:
    data = json.loads(path.read_text(encoding="utf-8"))
    periods = {
        int(p["months"]): Decimal(str(p["discount_percent"])) / 100 for p in data["billing_periods"]
    }
    names = {f["key"]: f["names"] for f in data["features"]}
    unknown = {key for plan in data["plans"] for key in plan["features"]} - names.keys()
    if unknown:
        raise ValueError(f"plans use unknown feature keys: {sorted(unknown)}")
    return Catalogue.from_dicts(data["plans"], billing_periods=periods, feature_names=names)
