"""Duration distributions (minutes) as they are written in scenario files.

Each distribution is a small validated model that can report its mean (used
for offered-load checks) and draw many values at once from a
`numpy.random.Generator` (vectorised, so durations for a year of exams are
drawn in one call per exam type).
"""
from __future__ import annotations

import math
from typing import Annotated, Literal, Union, get_args

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


# Any duration's parameters, in minutes (hours for breakdowns): far above real work, finite, so runs end.
MAX_VALUE = 100_000


class _Dist(BaseModel):
    """A duration distribution: validated fields, its mean, and vectorised samples in minutes."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def mean(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    dist: Literal["fixed"] = "fixed"
    value: float = Field(ge=0, le=MAX_VALUE)

    def mean(self) -> float:
        return self.value

    def sample(self, rng, n):
        return np.full(n, self.value)


class Exponential(_Dist):
    """Exponential durations with the given mean."""

    dist: Literal["exponential"]
    mean_: float = Field(gt=0, le=MAX_VALUE, alias="mean")

    def mean(self) -> float:
        return self.mean_

    def sample(self, rng, n):
        return rng.exponential(self.mean_, n)


class _MeanAndCV(_Dist):
    """A family given by its own mean and coefficient of variation."""

    mean_: float = Field(gt=0, le=MAX_VALUE, alias="mean")
    cv: float = Field(gt=0, le=100)

    def mean(self) -> float:
        return self.mean_


class Lognormal(_MeanAndCV):
    """Log-normal durations with the given mean and coefficient of variation."""

    dist: Literal["lognormal"]

    def sample(self, rng, n):
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean_) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


class Gamma(_MeanAndCV):
    """Gamma durations with the given mean and coefficient of variation."""

    dist: Literal["gamma"]

    def sample(self, rng, n):
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, n)


class Triangular(_Dist):
    """Triangular durations between low and high with the given mode."""

    dist: Literal["triangular"]
    min: float = Field(ge=0, le=MAX_VALUE)
    mode: float
    max: float = Field(le=MAX_VALUE)

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.min <= self.mode <= self.max) or self.min == self.max:
            raise ValueError("triangular needs min <= mode <= max and min < max")
        return self

    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    def sample(self, rng, n):
        return rng.triangular(self.min, self.mode, self.max, n)


class Uniform(_Dist):
    """Uniform durations between low and high."""

    dist: Literal["uniform"]
    min: float = Field(ge=0, le=MAX_VALUE)
    max: float = Field(le=MAX_VALUE)

    @model_validator(mode="after")
    def _ordered(self):
        if self.max <= self.min:
            raise ValueError("uniform needs min < max")
        return self

    def mean(self) -> float:
        return (self.min + self.max) / 2

    def sample(self, rng, n):
        return rng.uniform(self.min, self.max, n)


class LogLogistic(_Dist):
    """Log-logistic (Fisk) with scale alpha (the median) and shape beta > 1.

    Raghavan et al. (J Digit Imaging 2019) found it the best fit for most
    imaging exam durations.
    """

    dist: Literal["loglogistic"]
    scale: float = Field(gt=0, le=MAX_VALUE)
    shape: float = Field(gt=1, le=1000, description="beta; must exceed 1 for a finite mean")

    def mean(self) -> float:
        b = math.pi / self.shape
        return self.scale * b / math.sin(b)

    def sample(self, rng, n):
        u = rng.random(n)
        return self.scale * (u / (1.0 - u)) ** (1.0 / self.shape)


class Weibull(_Dist):
    """Weibull with scale lambda and shape k: k < 1 has more short and very long durations than the exponential,
    k > 1 fewer (k = 1 is the exponential with mean lambda)."""

    dist: Literal["weibull"]
    scale: float = Field(gt=0, le=MAX_VALUE)
    shape: float = Field(ge=0.1, le=1000, description="k; below 0.1 the mean is astronomically above the median")

    def mean(self) -> float:
        return self.scale * math.gamma(1.0 + 1.0 / self.shape)

    def sample(self, rng, n):
        return self.scale * rng.weibull(self.shape, n)


class Empirical(_Dist):
    """Resample observed values with equal probability."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0, le=MAX_VALUE)]] = Field(min_length=1)

    def mean(self) -> float:
        return float(np.mean(self.values))

    def sample(self, rng, n):
        return rng.choice(np.asarray(self.values, dtype=float), n)


def _number_means_fixed(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    return value


# written out, not built from a tuple, so that a type checker knows every family has `sample` and `mean`
Family = Union[Fixed, Exponential, Lognormal, Gamma, Triangular, Uniform, LogLogistic, Weibull, Empirical]
FAMILIES = get_args(Family)
FAMILY_NAMES = frozenset(f.model_fields["dist"].annotation.__args__[0] for f in FAMILIES)

Distribution = Annotated[
    Family,
    Field(discriminator="dist"),
    BeforeValidator(_number_means_fixed),
]
