"""Random valid scenarios that reach every part of the scenario format.

`generate(seed)` returns a scenario as a plain dict (what a user would write
in YAML), small enough to run in well under a second: a few days, a few
dozen exams a day. It draws, among other things, several modalities and
groups, multi-credentialed staff, split and overnight shifts, breaks, prep
rooms and steps, appointments, reservations, maintenance, breakdowns,
warm-up, portables, NM uptake, IR suites and follow-ups, protocoling (with
cancellations and changes of exam type), porters fetching patients,
sedation with anaesthetists,
subspecialties and fallback, priors, preliminary and remote readers,
interruptions, critical calls, AI triage in both modes, every worklist
policy, groups with nobody in them and warm-ups longer than most of the run.

Validity is kept by construction: every modality gets a technologist group
and a catch-all radiologist group reads everything, so every order is
servable; the other groups are drawn freely around them.
"""
from __future__ import annotations

import random

MODALITIES = ("CT", "MR", "XR", "US", "NM", "IR")
SUBSPECIALTIES = ("neuro", "body", "chest", "msk", "general")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _window(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.3:
        return "00:00-24:00"
    if kind < 0.55:
        return "07:00-19:00"
    if kind < 0.75:
        return "19:00-07:00"  # overnight
    start = r.randrange(0, 1440, 10)
    return f"{clock(start)}-{clock(start + r.randrange(60, 1440, 10))}"


def _windows(r: random.Random) -> list:
    kind = r.random()
    if kind < 0.2:  # a split shift with a short gap: the second stretch starts while work may still run
        start = r.randrange(360, 720, 10)
        gap = r.choice([0, 5, 10, 30])
        return [f"{clock(start)}-{clock(start + 240)}", f"{clock(start + 240 + gap)}-{clock(start + 540)}"]
    if kind < 0.3:
        return [{"start": clock(r.randrange(0, 1440, 30)), "end": clock(r.randrange(0, 1440, 30)),
                 "days": r.sample(WEEKDAYS, r.randint(1, 7))}]
    if kind < 0.4:
        return [_window(r), _window(r)]
    return [_window(r)]


def _distribution(r: random.Random, mean: float):
    mean = max(mean, 0.5)
    family = r.choice(["number", "fixed", "exponential", "lognormal", "gamma", "triangular", "uniform",
                       "loglogistic", "weibull", "empirical"])
    if family == "number":
        return round(mean, 2)
    if family == "fixed":
        return {"dist": "fixed", "value": round(mean, 2)}
    if family == "exponential":
        return {"dist": "exponential", "mean": round(mean, 2)}
    if family in ("lognormal", "gamma"):
        return {"dist": family, "mean": round(mean, 2), "cv": round(r.uniform(0.1, 1.5), 2)}
    if family == "triangular":
        return {"dist": "triangular", "min": round(mean / 2, 2), "mode": round(mean, 2), "max": round(mean * 1.5, 2)}
    if family == "uniform":
        return {"dist": "uniform", "min": round(mean / 2, 2), "max": round(mean * 1.5, 2)}
    if family == "loglogistic":
        return {"dist": "loglogistic", "scale": round(mean, 2), "shape": round(r.uniform(1.5, 5), 2)}
    if family == "weibull":
        return {"dist": "weibull", "scale": round(mean, 2), "shape": round(r.uniform(0.5, 4), 2)}
    return {"dist": "empirical", "values": [round(mean * r.uniform(0.3, 1.7), 2) for _ in range(r.randint(1, 5))]}


def _small(r: random.Random, mean: float, zero_chance: float = 0.3):
    return 0 if r.random() < zero_chance else _distribution(r, mean)


def _priorities(r: random.Random) -> dict:
    if r.random() < 0.6:
        names = ["stroke", "trauma", "stat", "inpatient", "outpatient"]
    else:
        names = [f"p{i}" for i in range(r.randint(1, 5))]
    out = {}
    for i, name in enumerate(names):
        p = {"target_minutes": r.choice([15, 20, 30, 60, 240, 720, 1440])}
        if i == 0 or r.random() < 0.15:
            p["preempts"] = r.random() < 0.7
        if r.random() < 0.3:
            p["standing_protocol"] = True
        if r.random() < 0.3:
            p["scan_target_minutes"] = r.choice([15, 25, 60])
        if r.random() < 0.3:
            p["defers_breaks"] = True
        out[name] = p
    return out


def _modality(r: random.Random, name: str, days: int, priorities: list[str]) -> dict:
    count = r.randint(1, 3)
    scanners = count if r.random() < 0.6 else [f"{name}-{chr(65 + i)}" for i in range(count)]
    names = scanners if isinstance(scanners, list) else [f"{name}-{i + 1}" for i in range(count)]
    spec: dict = {"scanners": scanners}
    if r.random() < 0.5:
        spec["hours"] = _windows(r)
    if name != "IR" and r.random() < 0.3:
        spec["prep_rooms"] = r.randint(1, 2)
    if r.random() < 0.3:
        # sometimes longer than most of the run
        spec["warm_up_minutes"] = r.choice([5, 15, 30, days * 1440 * 0.8])
    if r.random() < 0.3:
        spec["maintenance"] = [{"start": clock(r.randrange(0, 1440, 30)), "end": clock(r.randrange(0, 1440, 30)),
                                "days": r.sample(WEEKDAYS, r.randint(1, 7)),
                                **({"scanners": r.sample(names, r.randint(1, len(names)))} if r.random() < 0.5 else {})}
                               for _ in range(r.randint(1, 2))]
    if r.random() < 0.3:
        spec["breakdowns"] = {"hours_between": _distribution(r, r.choice([2, 12, 48])),
                              "repair_minutes": _distribution(r, r.choice([10, 60, 240])),
                              "interrupted_exam": r.choice(["move", "restart", "resume"])}
    if r.random() < 0.25:
        start = r.randrange(0, 1440, 10)  # never around the clock: that leaves some priority no scanner
        spec["reserved"] = [{"scanners": r.sample(names, r.randint(1, len(names))),
                             "hours": f"{clock(start)}-{clock(start + r.randrange(60, 1380, 10))}",
                             "priorities": r.sample(priorities, r.randint(1, len(priorities)))}]
    if name in ("XR", "US") and r.random() < 0.5:
        spec["portable_units"] = r.randint(1, 2)
    if name == "IR":
        spec["procedures"] = True
    return spec


def _exam_type(r: random.Random, modality: str, spec: dict) -> dict:
    exam: dict = {"modality": modality, "acquisition": _distribution(r, r.choice([3, 10, 25, 45])),
                  "read": _distribution(r, r.choice([2, 6, 15, 30]))}
    if r.random() < 0.6:
        exam["subspecialty"] = r.choice(SUBSPECIALTIES)
    if r.random() < 0.2:
        exam["body_region"] = r.choice(["head", "chest", "abdomen"])
    if r.random() < 0.25:
        exam["ai"] = {"prevalence": round(r.random(), 2), "sensitivity": round(r.random(), 2),
                      "specificity": round(r.random(), 2)}
    if r.random() < 0.3:
        exam["critical_share"] = round(r.random() * 0.5, 2)
    if modality in ("CT", "MR", "IR") and r.random() < 0.4:
        exam["protocol"] = _distribution(r, 2)
        if r.random() < 0.3:
            exam["protocol_cancels"] = round(r.random() * 0.5, 2)
    if r.random() < 0.3:
        exam["priors"] = {"extra": _distribution(r, 3)}
    if r.random() < 0.5:
        steps: dict = {"prep": _small(r, 5), "screening": _small(r, 3, 0.6), "check": _small(r, 2),
                       "turnover": _small(r, 4)}
        if r.random() < 0.4:
            steps["contrast"] = {"share": round(r.random(), 2), "minutes": _distribution(r, 4)}
        if modality != "MR" and r.random() < 0.2:
            steps["pregnancy_check"] = {"share": round(r.random(), 2), "minutes": _distribution(r, 2)}
        exam["steps"] = steps
    if spec.get("portable_units") and r.random() < 0.5:
        exam["portable"] = {"travel_minutes": _distribution(r, 8)}
    elif modality in ("MR", "CT", "NM") and r.random() < 0.15:
        exam["sedation"] = {"share": round(r.random(), 2), "induction": _distribution(r, 15)}
    elif modality == "NM" and r.random() < 0.7:
        exam["uptake"] = {"injection": _distribution(r, 5), "minutes": _distribution(r, r.choice([30, 180]))}
    if r.random() < 0.2:
        exam["dose"] = {"unit": r.choice(["mSv", "mGy·cm"]), "value": _distribution(r, r.choice([2, 800])),
                        **({"reference_level": r.choice([1, 5, 1000])} if r.random() < 0.7 else {}),
                        "review_minutes": _small(r, 5)}
    return exam


def _staff_group(r: random.Random, modalities: list[str], count_zero_chance: float = 0.1) -> dict:
    group: dict = {"count": 0 if r.random() < count_zero_chance else r.randint(1, 3),
                   "modalities": modalities, "shifts": _windows(r)}
    if r.random() < 0.3:
        group["breaks"] = [{"start": clock(r.randrange(0, 1440, 30)), "minutes": r.choice([10, 30, 60]),
                            "waves": r.randint(1, 3)} for _ in range(r.randint(1, 2))]
    return group


def _radiologist_group(r: random.Random, modalities: list[str], subspecialties: list[str],
                       priorities: list[str]) -> dict:
    group = _staff_group(r, modalities)
    if r.random() < 0.5:
        group["subspecialties"] = r.sample(subspecialties, r.randint(1, len(subspecialties)))
    if r.random() < 0.4:
        group["priorities"] = r.sample(priorities, r.randint(1, len(priorities)))
    if r.random() < 0.2:
        group["speed"] = r.choice([0.7, 1.5])
    if r.random() < 0.2:
        group["transmission_minutes"] = r.choice([5, 20])
    if r.random() < 0.2:
        group["reports"] = "preliminary"
    if r.random() < 0.3:
        group["interruptions"] = {"per_hour": r.choice([2, 6, [r.choice([0, 3, 8]) for _ in range(24)]]),
                                  "resumption_penalty": {m: r.choice([0, 2, 6]) for m in r.sample(modalities, 1)},
                                  "spared": r.sample(priorities, r.randint(0, min(2, len(priorities))))}
    if "IR" in modalities and r.random() < 0.3:
        group["call_in_minutes"] = r.choice([10, 30, 120])
    if r.random() < 0.3:
        group["non_interpretive"] = [
            {"name": r.choice(["tumour board", "teaching", "QA"]), "start": clock(r.randrange(0, 1440, 30)),
             "minutes": r.choice([15, 60, 240, 1440]), "members": r.choice([1, 2, 5]),
             **({"days": r.sample(WEEKDAYS, r.randint(1, 7))} if r.random() < 0.5 else {})}
            for _ in range(r.randint(1, 3))]
    return group


def _mix(r: random.Random, names: list[str]) -> dict:
    chosen = r.sample(names, r.randint(1, len(names)))
    return {name: r.choice([1, 2, 5]) for name in chosen}


def generate(seed: int) -> dict:
    """A valid scenario, as written in a file, drawn from `seed`."""
    r = random.Random(seed)
    days = r.choice([1, 2, 3, 4, 7])
    data: dict = {"name": f"generated {seed}", "days": days, "seed": r.randrange(1000),
                  "start_weekday": r.choice(WEEKDAYS)}
    if r.random() < 0.3:
        data["warmup_days"] = r.choice([0.5, days - 0.5]) if days > 1 else 0.25
    priorities = _priorities(r)
    data["priorities"] = priorities
    names = list(priorities)
    modality_names = r.sample(MODALITIES, r.randint(1, 4))
    modalities = {m: _modality(r, m, days, names) for m in modality_names}
    data["modalities"] = modalities
    exam_types = {}
    for m in modality_names:
        for i in range(r.randint(1, 3)):
            exam_types[f"{m.lower()}_{i}"] = _exam_type(r, m, modalities[m])
    data["exam_types"] = exam_types
    if "IR" in modalities:  # a thrombectomy-like follow-up of some other exam
        ir_types = [n for n, e in exam_types.items() if e["modality"] == "IR"]
        others = [n for n, e in exam_types.items() if e["modality"] != "IR"]
        if others and r.random() < 0.7:
            exam_types[r.choice(others)]["leads_to"] = {
                "exam_type": r.choice(ir_types), "share": round(r.uniform(0.1, 1), 2),
                **({"priorities": r.sample(names, r.randint(1, len(names)))} if r.random() < 0.5 else {}),
                **({"priority": r.choice(names)} if r.random() < 0.3 else {})}
    for exam in exam_types.values():
        if r.random() < 0.15:
            exam["read_by_priority"] = {p: _distribution(r, 5) for p in r.sample(names, r.randint(1, len(names)))}
    unprotocolled = [n for n, e in exam_types.items() if "protocol" not in e]  # targets: changes go one step only
    for exam in exam_types.values():
        if "protocol" in exam and unprotocolled and r.random() < 0.3:
            room = 1 - exam.get("protocol_cancels", 0)
            exam["protocol_changes"] = {t: round(r.uniform(0, room) / 2, 2)
                                        for t in r.sample(unprotocolled, min(2, len(unprotocolled)))}
    subspecialties = sorted({e.get("subspecialty", "general") for e in exam_types.values()})
    type_names = list(exam_types)
    demand = {}
    for source in r.sample(["ED", "inpatient", "outpatient"], r.randint(1, 3)):
        src: dict = {"exams_per_day": r.choice([0, 5, 20, 60, 150]), "exam_mix": _mix(r, type_names),
                     "priority_mix": _mix(r, names)}
        if r.random() < 0.3:
            src["hourly_profile"] = [r.choice([0, 1, 3]) for _ in range(23)] + [1]
        if r.random() < 0.3:
            src["weekday_factors"] = {d: r.choice([0, 0.5, 1.5]) for d in r.sample(WEEKDAYS, 2)}
        if r.random() < 0.3:
            src["priors_share"] = round(r.random(), 2)
        if r.random() < 0.2:
            exam = next(iter(src["exam_mix"]))
            src["exam_mix"][exam] = {"share": 1, "priority_mix": _mix(r, names)}
        if r.random() < 0.2:
            src["door_to_order"] = {p: _distribution(r, r.choice([5, 30])) for p in r.sample(names, 1)}
        if r.random() < 0.2:
            src["cancellation"] = {p: {"share": round(r.random(), 2), "after": _distribution(r, r.choice([5, 60, 600]))}
                                   for p in r.sample(names, r.randint(1, len(names)))}
        if r.random() < 0.3:
            src["readiness"] = {p: _distribution(r, r.choice([10, 60, 300])) for p in r.sample(names, r.randint(1, len(names)))}
        demand[source] = src
    data["demand"] = demand
    if r.random() < 0.4:
        data["orders"] = [{"day": r.randrange(days), "time": clock(r.choice([r.randrange(0, 1440, 5), 1439])),
                           "source": r.choice(["ED", "scripted"]), "exam_type": r.choice(type_names),
                           "priority": r.choice(names)} for _ in range(r.randint(1, 6))]
    booked = [m for m in modality_names if m != "IR"]
    if booked and r.random() < 0.3:
        m = r.choice(booked)
        mine = [n for n, e in exam_types.items() if e["modality"] == m and "portable" not in e]
        if mine:
            data["appointments"] = {"clinic": {
                "modality": m, "sessions": _windows(r), "slot_minutes": r.choice([15, 30, 45]),
                "parallel": r.randint(1, 2), "booked_share": round(r.uniform(0.3, 1), 2),
                "no_show": round(r.uniform(0, 0.3), 2),
                "punctuality": {"earliest": -r.choice([0, 15, 30]), "latest": r.choice([0, 20])},
                "exam_mix": {n: 1 for n in mine}, "priority": names[-1], "source": r.choice(["outpatient", "clinic"])}}
            if r.random() < 0.4:
                data["appointments"]["clinic"]["queue_after"] = r.choice(names)
            if r.random() < 0.3:
                data["appointments"]["clinic"]["start_tolerance_minutes"] = r.choice([5, 30, 240])
            if r.random() < 0.3:
                data["appointments"]["clinic"]["referrals"] = {
                    f"category_{k}": {"per_week": r.choice([0, 5, 30, 200]), "lead_days": r.choice([0, 1, 7]),
                                      **({"target_days": r.choice([1, 14])} if r.random() < 0.6 else {}),
                                      **({"priority": r.choice(names)} if r.random() < 0.4 else {})}
                    for k in range(r.randint(1, 3))}
    if r.random() < 0.3 or any("ai" in e for e in exam_types.values()):
        data["ai_triage"] = {"mode": r.choice(["reprioritise", "flag_only"]), "raise_to": r.choice(names)}
    reading: dict = {"policy": r.choice(["strict", "fifo", "aging"])}
    if reading["policy"] == "aging":
        reading["aging_cap_minutes"] = r.choice([30, 120, 600])
    if r.random() < 0.3:
        reading["subspecialty_fallback_minutes"] = r.choice([0, 30, 240])
    if r.random() < 0.2:
        reading["final_read"] = _distribution(r, 5)
        reading["critical_call"] = _distribution(r, 3)
    data["reading"] = reading
    technologists = {}
    for m in modality_names:  # someone for every modality, though perhaps only some of the day
        group = _staff_group(r, [m], count_zero_chance=0)
        hours = modalities[m].get("hours")
        if hours and r.random() < 0.8:  # on duty in the opening hours (or refused: never open while staffed)
            group["shifts"] = hours
        elif hours:
            group["shifts"] = ["00:00-24:00"]
        if r.random() < 0.3:
            group["names"] = [f"{m} tech {i}" for i in range(r.randint(1, 3))]
        technologists[f"{m.lower()}_techs"] = group
    for i in range(r.randint(0, 2)):
        technologists[f"multi_{i}"] = _staff_group(r, r.sample(modality_names, r.randint(1, len(modality_names))))
    if r.random() < 0.1:  # a modality with scanners but no capacity: nobody staffs it, nothing is ordered on it
        data["modalities"]["PET"] = {"scanners": 1, "hours": _windows(r)}
        technologists["pet_techs"] = {"count": 0, "modalities": ["PET"], "shifts": _windows(r)}
    data["technologists"] = technologists
    radiologists = {"generalists": {"count": r.randint(1, 2), "modalities": list(modality_names),
                                    "shifts": ["00:00-24:00"] if r.random() < 0.5 else _windows(r)}}
    for i in range(r.randint(0, 3)):
        radiologists[f"readers_{i}"] = _radiologist_group(
            r, r.sample(modality_names, r.randint(1, len(modality_names))), subspecialties, names)
    data["radiologists"] = radiologists
    if any("sedation" in e for e in exam_types.values()):  # anaesthetists, perhaps few and only some hours
        data["anaesthesia"] = {"anaesthetists": {"count": r.randint(1, 2), "shifts": _windows(r) if r.random() < 0.6
                                                 else ["00:00-24:00"]}}
    carried = [src for src in demand.values() if r.random() < 0.25]
    if carried or r.random() < 0.05:  # porters, perhaps short, perhaps off duty some hours (or with nobody to carry)
        data["porters"] = {f"porters_{i}": {"count": r.randint(1, 3), "shifts": _windows(r) if r.random() < 0.5
                                            else ["00:00-24:00"],
                                            **({"breaks": [{"start": clock(r.randrange(0, 1440, 30)), "minutes": 30}]}
                                               if r.random() < 0.3 else {})}
                           for i in range(r.randint(1, 2))}
        for src in carried:
            src["transport"] = {"minutes": _distribution(r, r.choice([3, 10, 40])),
                                **({"priorities": r.sample(names, r.randint(1, len(names)))} if r.random() < 0.4
                                   else {})}
    if r.random() < 0.4:
        data["targets"] = [{"measure": r.choice(["order_to_images", "door_to_scan", "report_tat", "order_to_report"]),
                            "priority": r.choice(names), "minutes": r.choice([20, 60, 600, 1440]),
                            **({"required_share": round(r.random(), 2)} if r.random() < 0.5 else {}),
                            **({"modality": r.choice(modality_names)} if r.random() < 0.3 else {}),
                            **({"source": r.choice(list(demand))} if demand and r.random() < 0.3 else {})}
                           for _ in range(r.randint(1, 3))]
    if r.random() < 0.2:
        data["report"] = {"timeline": {"from": "day 0 06:00", "to": f"day {days - 1} 18:00"}}
    return data
