"""Textbook results for M/M/c queues, used to validate the model.

All classes share one exponential service rate `mu`; arrival rates are per
minute. Mean times are in minutes.

- `erlang_c`: probability that an arrival waits in M/M/c (FCFS).
- `mmc_wait`: mean wait in queue, Erlang C / (c mu - lambda).
- `cobham_waits`: mean wait per class under non-preemptive priority
  (Cobham 1954): W_k = C(c, a) / (c mu) / ((1 - s_{k-1}) (1 - s_k)),
  s_k being the load of classes 1..k.
- `preemptive_sojourns`: mean time in system per class under
  preemptive-resume priority. With equal exponential service, classes 1..k
  together see an M/M/c queue of their own arrival rate, so class k's mean
  follows from the difference of two M/M/c results.
"""
from __future__ import annotations

import math


def erlang_c(servers: int, offered: float) -> float:
    """P(wait) in M/M/c with `servers` and offered load a = lambda / mu (< servers)."""
    if offered >= servers:
        raise ValueError("offered load must be below the number of servers")
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers * servers / (servers - offered)
    return last / (total + last)


def mmc_wait(servers: int, arrival_rate: float, mu: float) -> float:
    offered = arrival_rate / mu
    return erlang_c(servers, offered) / (servers * mu - arrival_rate)


def cobham_waits(servers: int, arrival_rates: list[float], mu: float) -> list[float]:
    total = sum(arrival_rates)
    base = erlang_c(servers, total / mu) / (servers * mu)
    waits, sigma = [], 0.0
    for rate in arrival_rates:
        previous, sigma = sigma, sigma + rate / (servers * mu)
        waits.append(base / ((1 - previous) * (1 - sigma)))
    return waits


def preemptive_sojourns(servers: int, arrival_rates: list[float], mu: float) -> list[float]:
    sojourns, cumulative_rate, cumulative_time = [], 0.0, 0.0
    for rate in arrival_rates:
        higher_total = cumulative_time
        cumulative_rate += rate
        cumulative_time = cumulative_rate * (mmc_wait(servers, cumulative_rate, mu) + 1 / mu)
        sojourns.append((cumulative_time - higher_total) / rate)
    return sojourns


def confidence_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval (low, high) of independent replication values."""
    from scipy import stats

    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, float("nan"), float("nan")
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half
