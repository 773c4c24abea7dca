"""Timers: call a function after some simulated minutes, with its arguments bound at once.

The model's state changes are plain method calls scheduled on the simpy
clock. Binding the arguments when the timer is set (not when it fires) is
what keeps a timer set inside a loop from acting on the loop's last value.
"""
from __future__ import annotations


def after(env, minutes: float, action, *args):
    """Call `action(*args)` once `minutes` have passed; returns the event, so more actions can share it."""
    event = env.timeout(minutes)
    event.callbacks.append(lambda _event: action(*args))
    return event


def also(event, action, *args) -> None:
    """Call `action(*args)` when an event set by `after` fires, after the actions already on it."""
    event.callbacks.append(lambda _event: action(*args))
