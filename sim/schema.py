"""The scenario format: every field, its validation and its default.

This module is the single home of radsim's defaults. Where a default stands
for a published figure, the field's description names the source (see
docs/scenario-format.md for the full citations). Cross-references between
sections (an exam type naming a modality, a reader covering a priority...)
are checked in `sim.scenario`, which also turns errors into one-line messages.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from .clock import WEEKDAYS, format_clock, parse_clock
from .distributions import Distribution

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[
    int,
    BeforeValidator(lambda v: parse_clock(v) if isinstance(v, str) else _reject_non_clock(v)),
    PlainSerializer(format_clock, return_type=str),
]


def _reject_non_clock(value):
    raise ValueError(f"{value!r} is not a clock time (expected \"HH:MM\" in quotes)")


class Strict(BaseModel):
    """Unknown keys are errors, so that typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


# Upper bounds: far above any real department, low enough that a run stays within one machine's memory and
# a working day's wait. Each is documented in docs/scenario-format.md ("Bounds").
MAX_DAYS = 3660  # ten years
MAX_HEAD_COUNT = 1000  # people in one group
MAX_ROOMS = 500  # scanners, prep rooms or portable units of one modality
MAX_EXAMS_PER_DAY = 100_000  # from one source
MAX_PER_HOUR = 120  # interruptions per reader-hour: one every 30 seconds
MAX_MINUTES = 100_000  # any duration in minutes (about 70 days)


def _shift_shorthand(value):
    # "07:00-19:00" is the everyday way to write an every-day window.
    if isinstance(value, str):
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"{value!r} is not a time window (expected \"HH:MM-HH:MM\")")
        return {"start": start.strip(), "end": end.strip()}
    return value


class Window(Strict):
    """A daily time window, e.g. a shift or opening hours.

    An end at or before the start crosses midnight (19:00-07:00 is a night
    shift; 07:00-07:00 lasts 24 hours). `days` are the days the window starts on.
    """

    start: ClockTime
    end: ClockTime
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)


Windows = Annotated[
    list[Annotated[Window, BeforeValidator(_shift_shorthand)]],
    BeforeValidator(lambda v: [v] if isinstance(v, (str, dict)) else v),
]
ALWAYS = [Window(start="00:00", end="00:00")]


class Priority(Strict):
    """A priority class: its report target, required share, preemption and break deferral."""

    target_minutes: float = Field(
        gt=0, description="Report-turnaround target (images complete -> report signed)."
    )
    preempts: bool = Field(
        False, description="A study of this priority interrupts a lower-priority read when no reader is free."
    )
    standing_protocol: bool = Field(
        False, description="Orders of this priority follow a standing protocol: no radiologist protocols them.")
    scan_target_minutes: float | None = Field(
        None, gt=0, description="Door-to-scan target (door -> the scan itself starts), if any.")
    defers_breaks: bool = Field(
        False, description="While a case of this priority waits for someone, their break waits.")
    required_share: float = Field(
        0.9, ge=0, le=1, description="Share of exams that should meet this priority's targets; fewer is a warning.")


# Reading order is the order of this mapping. Targets: stroke 20 min is the
# AHA/ASA 2013 door-to-interpretation (45) minus door-to-CT (25); trauma 30 min
# and STAT 60 min are the common emergent/STAT conventions (Canada's Wait Time
# Alliance P1: report within 1 h); inpatient 12 h is the WTA P2 target; routine
# outpatient 24 h is the long-standing industry benchmark. Stroke door-to-CT: 25 min (AHA/ASA 2013).
DEFAULT_PRIORITIES = {
    "stroke": Priority(target_minutes=20, preempts=True, standing_protocol=True, scan_target_minutes=25,
                       defers_breaks=True),
    "trauma": Priority(target_minutes=30, defers_breaks=True),
    "stat": Priority(target_minutes=60),
    "inpatient": Priority(target_minutes=720),
    "outpatient": Priority(target_minutes=1440),
}


class TurnaroundTarget(Strict):
    """A target on any turnaround measure, for one priority and optionally one modality or source."""

    measure: Literal["order_to_images", "door_to_scan", "report_tat", "order_to_report"] = Field(
        description="order_to_images: order -> images complete; door_to_scan: door (the patient's arrival, or "
                    "the order where the source gives no door_to_order) -> the scan itself starts; "
                    "report_tat: images complete -> report signed; order_to_report: order -> report signed.")
    priority: str
    minutes: float = Field(gt=0, le=MAX_MINUTES)
    required_share: float = Field(0.9, ge=0, le=1, description="Share of exams that should meet it.")
    modality: str | None = Field(None, description="Only exams of this modality; default all.")
    source: str | None = Field(None, description="Only orders from this source; default all.")


class Costs(Strict):
    """What staff cost: paid scheduled hours at each group's hourly rate, with premiums for night and weekend
    hours and for overtime, and a fee per report for groups paid per study (teleradiology). radsim's reference
    has no published pay rates, so the default rate of 1 per hour makes the cost a count of paid staff-hours;
    set your own rates and currency to compare in money."""

    currency: str = Field("staff-hours", description="The unit costs are shown in, e.g. EUR.")
    technologist_hourly: float = Field(1.0, ge=0, description="Hourly rate of technologist groups not listed.")
    radiologist_hourly: float = Field(1.0, ge=0, description="Hourly rate of radiologist groups not listed.")
    porter_hourly: float = Field(1.0, ge=0, description="Hourly rate of porter groups not listed.")
    anaesthetist_hourly: float = Field(1.0, ge=0, description="Hourly rate of anaesthesia groups not listed.")
    hourly: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="Hourly rate per staff group, by group name.")
    night: Window = Field(default_factory=lambda: Window(start="19:00", end="07:00"),
                          description="Hours paid at the night premium.")
    night_premium: float = Field(0.0, ge=0, description="Extra share of the rate paid for night hours (0.25: +25 %).")
    weekend_premium: float = Field(0.0, ge=0, description="Extra share of the rate paid on Saturdays and Sundays.")
    overtime_premium: float = Field(0.0, ge=0, description="Extra share of the rate paid for overtime.")
    per_report: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="Fee per report signed (prelim or final), by radiologist group.")


class Maintenance(Window):
    """Planned maintenance or QA: the scanners named are out of use for the window's length, starting at its
    start or as soon as the scanner is free after it."""

    scanners: list[str] | None = Field(None, description="Scanner names; default every scanner of the modality.")


class Breakdowns(Strict):
    """Unplanned breakdowns: time between failures (calendar hours, from the end of the last repair) and
    repair time. There is no published figure in the reference; choose from the site's service log."""

    hours_between: Distribution = Field(description="Hours from one repair's end to the next failure.")
    repair_minutes: Distribution = Field(description="Minutes from failure to the scanner being usable again.")
    interrupted_exam: Literal["move", "restart", "resume"] = Field(
        "move", description="move: back to the head of the queue, scanned from the start on the first free "
                            "scanner; restart: from the start on the same scanner once repaired; resume: on the "
                            "same scanner once repaired, only the scan time that was left.")

    @model_validator(mode="after")
    def _time_passes(self):
        if self.hours_between.mean() <= 0:
            raise ValueError("hours_between must have a mean above 0 (a scanner cannot fail again at once)")
        return self


class Reservation(Strict):
    """Capacity kept for urgent work: in these hours the named scanners take only these priorities."""

    scanners: list[str] = Field(min_length=1)
    hours: Windows = Field(min_length=1)
    priorities: list[str] = Field(min_length=1)


class Modality(Strict):
    """A modality: scanners (or IR suites), portable units, prep rooms, opening hours and equipment events."""

    scanners: Annotated[int, Field(le=MAX_ROOMS)] | Annotated[list[str], Field(max_length=MAX_ROOMS)] = Field(
        description="How many scanners (or IR suites), or their names.")
    hours: Windows = Field(default_factory=lambda: list(ALWAYS), description="Opening hours; default 24/7.")
    prep_rooms: int = Field(0, ge=0, le=MAX_ROOMS, description="Rooms where a technologist prepares the next patient while "
                                                 "the scanner is busy (MR: 328 s shorter turnaround, ARRS/NYU).")
    warm_up_minutes: float = Field(0.0, ge=0, le=MAX_MINUTES, description="Minutes each scanner needs at every opening.")
    maintenance: list[Maintenance] = Field(default_factory=list, description="Planned maintenance and QA windows.")
    breakdowns: Breakdowns | None = Field(None, description="Unplanned breakdowns; default none.")
    reserved: list[Reservation] = Field(default_factory=list, description="Scanners kept for urgent priorities.")
    portable_units: int = Field(0, ge=0, le=MAX_ROOMS, description="Portable units for bedside exams of this modality.")
    procedures: bool = Field(False, description="The rooms are IR suites: every exam also needs a radiologist "
                                                "credentialed for this modality for its whole length.")

    @field_validator("scanners")
    @classmethod
    def _some_scanners(cls, value):
        if isinstance(value, int) and value < 1:
            raise ValueError("a modality needs at least one scanner")
        if isinstance(value, list):
            if not value:
                raise ValueError("a modality needs at least one scanner")
            if len(set(value)) != len(value):
                raise ValueError("scanner names must be unique")
        return value

    @property
    def scanner_count(self) -> int:
        return self.scanners if isinstance(self.scanners, int) else len(self.scanners)

    def scanner_names(self, modality: str) -> list[str]:
        """The scanners' names: as given, or CT-1, CT-2..."""
        if isinstance(self.scanners, list):
            return list(self.scanners)
        return [f"{modality}-{i + 1}" for i in range(self.scanners)]


class AIScreen(Strict):
    """An AI tool that screens this exam type's images for one finding."""

    prevalence: float = Field(ge=0, le=1, description="Share of studies that truly have the finding.")
    sensitivity: float = Field(ge=0, le=1, description="Share of studies with the finding that the AI flags.")
    specificity: float = Field(ge=0, le=1, description="Share of studies without the finding that it does not flag.")


class AITriage(Strict):
    """AI triage: which studies are screened, how well, and the priority a flagged study is read at."""

    mode: Literal["reprioritise", "flag_only"] = Field(
        "reprioritise", description="reprioritise: a flagged study moves up the worklist; flag_only: shown, not moved.")
    raise_to: str = Field("stat", description="The priority a flagged study is read at (never lower than its own).")


class Contrast(Strict):
    """IV contrast: the share of exams that get it and the extra preparation it takes."""

    share: float = Field(1.0, ge=0, le=1, description="Share of these exams given IV contrast.")
    minutes: Distribution = Field(description="IV placement and contrast, minutes.")


class PregnancyCheck(Strict):
    """Asking, and where needed testing, whether a patient of child-bearing age may be pregnant before ionising
    radiation (ACR-SPR practice parameter: females 12-50 years are screened; UK IR(ME)R: ask and record)."""

    share: float = Field(ge=0, le=1, description="Share of these exams' patients of child-bearing age (screened).")
    minutes: Distribution = Field(description="Technologist minutes to ask, record and, where needed, test.")


class Sedation(Strict):
    """Sedation or general anaesthesia for a share of these exams' patients (young children for MR): an
    anaesthetist of an `anaesthesia` group induces on the scanner and stays for the whole acquisition, so the scan
    waits for one. Children of 2-7 usually need heavy sedation or anaesthesia for MR (UTHealth paediatric imaging)."""

    share: float = Field(1.0, ge=0, le=1, description="Share of these exams done under sedation or anaesthesia.")
    induction: Distribution = Field(description="Minutes on the scanner to sedate or anaesthetise before the scan.")


class Steps(Strict):
    """Acquisition in steps, around the scan itself (`acquisition`). Preparation steps happen in a prep room
    when the modality has one free and the scanner is busy; otherwise on the scanner. US figures: setup 2:10,
    exam 9:38, review 1:50, turnover 1:44 (reference 3.1)."""

    prep: Distribution = Field(0.0, validate_default=True, description="Patient preparation and positioning.")
    contrast: Contrast | None = Field(None, description="IV placement and contrast, for a share of these exams.")
    screening: Distribution = Field(0.0, validate_default=True, description="MR safety screening.")
    pregnancy_check: PregnancyCheck | None = Field(
        None, description="Pregnancy screening of patients of child-bearing age before XR, CT, NM or IR.")
    check: Distribution = Field(0.0, validate_default=True, description="Image check after the scan.")
    turnover: Distribution = Field(0.0, validate_default=True, description="Room turnover after the patient.")


class Portable(Strict):
    """A bedside exam: the technologist takes a portable unit to the patient; no room is held."""

    travel_minutes: Distribution = Field(description="Minutes each way between the department and the bedside.")


class Uptake(Strict):
    """Nuclear medicine: the technologist injects, the patient waits the uptake period (the scanner serves
    others meanwhile), then is imaged. Bone scan: 2-4 h uptake, 3 h typical (reference 3.1)."""

    injection: Distribution = Field(description="Technologist minutes to inject.")
    minutes: Distribution = Field(description="Uptake period between injection and imaging.")


class FollowUp(Strict):
    """A share of these exams leads to another order once reported (e.g. a stroke CT to a thrombectomy)."""

    exam_type: str
    share: float = Field(ge=0, le=1)
    priorities: list[str] | None = Field(None, description="Only orders of these priorities; default all.")
    priority: str | None = Field(None, description="The follow-up's own priority (e.g. a procedure's, with its own "
                                                   "report target); default the order's that leads to it.")


class Dose(Strict):
    """Radiation dose per exam of this type, drawn per exam; one above the diagnostic reference level is flagged,
    and its dose reviewed by the radiologist who reads it. No default: doses differ by scanner and protocol, so take
    them from the site's dose registry and national reference levels (UK NDRLs 2022: CT head for acute stroke
    790 mGy·cm DLP, chest 290, abdomen and pelvis 530)."""

    unit: str = Field("mSv", description="The unit of `value` and `reference_level`: mSv (effective dose), "
                                         "mGy·cm (DLP) or mGy (CTDIvol).")
    value: Distribution = Field(description="Dose of one exam, in `unit`.")
    reference_level: float | None = Field(None, gt=0, description="Diagnostic reference level: an exam above it is "
                                                                  "flagged; default none.")
    review_minutes: Distribution = Field(0.0, validate_default=True,
                                         description="Radiologist minutes to review a flagged exam's dose, added "
                                                     "to its read.")


class ExamType(Strict):
    """An exam type: modality, subspecialty, acquisition and read durations, steps and options."""

    modality: str
    subspecialty: str = Field("general", description="Reading subspecialty, e.g. neuro, body, chest, msk.")
    body_region: str | None = None
    acquisition: Distribution = Field(description="The scan (or procedure) itself: technologist and scanner "
                                                  "minutes; with no `steps`, everything.")
    read: Distribution = Field(description="Radiologist reading time, minutes.")
    read_by_priority: dict[str, Distribution] = Field(
        default_factory=dict, description="Read time where it differs by priority (a stroke CT's first read in "
                                          "minutes, as stroke protocols demand); other priorities take `read`.")
    ai: AIScreen | None = Field(None, description="AI screening of this exam type's images (see ai_triage).")
    critical_share: float = Field(0.0, ge=0, le=1, description="Share of reports with a critical result to phone.")
    protocol: Distribution | None = Field(
        None, description="Radiologist minutes to protocol an order of this type before it can be scanned.")
    protocol_cancels: float = Field(
        0.0, ge=0, le=1, description="Share of the orders protocolled that the radiologist cancels after consulting "
                                     "the referrer (not needed, or another test answers the question).")
    protocol_changes: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="Shares of the orders protocolled that the radiologist changes, after "
                                          "consulting the referrer, to another exam type (e.g. a CT head to an MR "
                                          "brain); the order is then scanned and read as the new type.")
    priors: PriorComparison | None = Field(None, description="Extra read time when the patient has priors.")
    steps: Steps | None = Field(None, description="Preparation, contrast, screening, check and turnover.")
    portable: Portable | None = Field(None, description="Done at the bedside with a portable unit.")
    uptake: Uptake | None = Field(None, description="Injection and uptake period before imaging (NM).")
    leads_to: FollowUp | None = Field(None, description="A follow-up order placed when the report is signed.")
    dose: Dose | None = Field(None, description="Radiation dose per exam and its reference level; default none.")
    sedation: Sedation | None = Field(None, description="Sedation or anaesthesia for a share of the patients.")


def acquisition_mean(exam: ExamType) -> float:
    """Mean technologist minutes per exam of this type: every step, the travel both ways, the injection."""
    minutes = exam.acquisition.mean()
    if exam.steps is not None:
        st = exam.steps
        minutes += st.prep.mean() + st.screening.mean() + st.check.mean() + st.turnover.mean()
        for share_step in (st.contrast, st.pregnancy_check):
            if share_step is not None:
                minutes += share_step.share * share_step.minutes.mean()
    if exam.sedation is not None:
        minutes += exam.sedation.share * exam.sedation.induction.mean()
    if exam.portable is not None:
        minutes += 2 * exam.portable.travel_minutes.mean()
    if exam.uptake is not None:
        minutes += exam.uptake.injection.mean()
    return minutes


class ReadingOptions(Strict):
    """How radiologists pick from the worklist, and what they do besides reading."""

    policy: Literal["strict", "fifo", "aging"] = Field(
        "strict", description="strict: best priority first; fifo: oldest first whatever the priority (no "
                              "preemption); aging: strict, but a study past aging_cap_minutes goes to the top.")
    aging_cap_minutes: float | None = Field(None, gt=0, description="With policy aging: minutes on the worklist "
                                                                   "after which a study is read first.")
    subspecialty_fallback_minutes: float | None = Field(
        None, ge=0, description="After this long on the worklist any reader of the modality and priority may "
                                "read a study, whatever its subspecialty; default never.")

    # A critical-result call: phone calls in reading rooms take a median 57 s to 1.6 min (Yu/Kansagra,
    # JACR 2014; BMJ Open Quality); reaching the referring clinician adds to that, hence a mean of 3 min.
    # Finalising a preliminary report: attending image viewing 4.07-5.33 min plus 2.24 min to correct a
    # draft rather than 4.20 to dictate afresh (brain MRI; reference figures 3.2), hence a 6-minute mean.
    final_read: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 6, "cv": 0.5}, validate_default=True,
        description="Minutes for an attending to over-read and sign a preliminary report.")
    critical_call: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 3, "cv": 0.7}, validate_default=True,
        description="Minutes to phone a critical result to the referring clinician.")


class PriorComparison(Strict):
    """Comparing with prior imaging adds read time."""

    extra: Distribution = Field(description="Minutes added to the read when priors exist.")


class ExamShare(Strict):
    """A share of an exam type in a source's mix."""

    share: float = Field(ge=0)
    priority_mix: dict[str, Annotated[float, Field(ge=0)]] | None = Field(
        None, description="Overrides the source's priority mix for this exam type."
    )
    readiness: dict[str, Distribution] | None = Field(
        None, description="Overrides the source's readiness delays for this exam type, per priority (e.g. oral "
                          "contrast before an abdominal CT); priorities not listed are ready when ordered.")


def _share_shorthand(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"share": value}
    return value


def _weights_positive(mix: dict[str, float], what: str) -> dict[str, float]:
    if not mix:
        raise ValueError(f"{what} must name at least one entry")
    if sum(mix.values()) <= 0:
        raise ValueError(f"{what} weights must not all be zero")
    return mix


class Cancellation(Strict):
    """Orders cancelled while they wait for the scanner (no longer needed: the patient improved, was discharged or
    left, or the plan changed): a `share` of them is cancelled if the scan has not begun `after` minutes."""

    share: float = Field(1.0, ge=0, le=1, description="Share of orders that are cancelled if still waiting then.")
    after: Distribution = Field(description="Minutes from the order to the cancellation (the order's patience).")


class Transport(Strict):
    """Porters bring this source's patients: fetched from the ward once ready, taken back once their images are
    complete. ED radiography transport: a mean of 22.9 min before and 9.9 min after a Lean redesign (BMC Health
    Serv Res 2017)."""

    minutes: Distribution = Field(description="Porter minutes each way: to the ward, and with the patient to the "
                                              "department (and the same back).")
    priorities: list[str] | None = Field(None, description="Only patients of these priorities; default all (codes "
                                                           "usually come with their team: leave them out).")


class Source(Strict):
    """Orders from one source (ED, inpatient, outpatient...), a non-homogeneous Poisson process."""

    exams_per_day: float = Field(ge=0, le=MAX_EXAMS_PER_DAY, description="Mean orders on a day whose weekday factor is 1.")
    hourly_profile: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: [1.0] * 24,
        min_length=24,
        max_length=24,
        description="24 relative weights, one per hour of day from 00:00; default flat.",
    )
    weekday_factors: dict[Weekday, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="Multiplies exams_per_day on that weekday; missing days are 1."
    )
    exam_mix: dict[str, Annotated[ExamShare, BeforeValidator(_share_shorthand)]]
    priority_mix: dict[str, Annotated[float, Field(ge=0)]]
    priors_share: float = Field(0.0, ge=0, le=1, description="Share of this source's patients with prior imaging.")
    # Inpatient CT order -> scan has a median of about 7 h, MR about 22 h (Bartsch et al., PLoS One 2023), and ED
    # CT order -> images complete a median of 108 min (Dhanik et al., West J Emerg Med 2024): most of it is the
    # patient getting ready, not the scanner queue.
    readiness: dict[str, Distribution] = Field(
        default_factory=dict,
        description="Minutes from the order to the patient being ready for the scanner (transport from the ward or "
                    "ED, IV access, a kidney-function check, oral contrast), per priority; priorities not listed are "
                    "ready when ordered (stroke and trauma codes arrive ready).")
    door_to_order: dict[str, Distribution] = Field(
        default_factory=dict,
        description="Minutes from the patient's arrival (the door) to the imaging order, per priority: triage and "
                    "the physician's assessment (AHA/ASA: door to physician within 10 min for a stroke). Door-to-scan "
                    "is measured from the door; priorities not listed are ordered at the door.")
    cancellation: dict[str, Cancellation] = Field(
        default_factory=dict, description="Orders cancelled while waiting for the scanner, per priority; default "
                                          "none.")
    transport: Transport | None = Field(
        None, description="Patients a porter fetches once ready and takes back after the scan; default none (they "
                          "come by themselves, or their readiness delay covers it).")

    @field_validator("hourly_profile")
    @classmethod
    def _profile_not_empty(cls, value):
        if sum(value) <= 0:
            raise ValueError("hourly_profile weights must not all be zero")
        return value

    @field_validator("exam_mix")
    @classmethod
    def _exam_mix(cls, value):
        _weights_positive({k: v.share for k, v in value.items()}, "exam_mix")
        for name, share in value.items():
            if share.priority_mix is not None:
                _weights_positive(share.priority_mix, f"exam_mix.{name}.priority_mix")
        return value

    @field_validator("priority_mix")
    @classmethod
    def _priority_mix(cls, value):
        return _weights_positive(value, "priority_mix")

    def priority_mix_for(self, exam_type: str) -> dict[str, float]:
        own = self.exam_mix[exam_type].priority_mix
        return own if own is not None else self.priority_mix


class ScriptedOrder(Strict):
    """One order placed at a fixed time, on top of the random demand (teaching, what-ifs, tests)."""

    day: int = Field(ge=0, lt=MAX_DAYS)
    time: ClockTime
    source: str = Field(description="A demand source, or a new name just for scripted orders.")
    exam_type: str
    priority: str


def parse_moment(text: str) -> float:
    """ "day 1 07:30" -> minutes from t = 0."""
    parts = str(text).split()
    if len(parts) != 3 or parts[0] != "day" or not parts[1].isdigit():
        raise ValueError(f"{text!r} is not a moment (expected \"day N HH:MM\")")
    return int(parts[1]) * 1440.0 + parse_clock(parts[2])


class Period(Strict):
    """A stretch of simulated time, written as moments: {from: "day 1 07:00", to: "day 1 12:00"}."""

    from_: str = Field(alias="from")
    to: str

    @model_validator(mode="after")
    def _ordered(self):
        if parse_moment(self.to) <= parse_moment(self.from_):
            raise ValueError(f"'to' ({self.to}) must come after 'from' ({self.from_})")
        return self

    @property
    def start(self) -> float:
        return parse_moment(self.from_)

    @property
    def end(self) -> float:
        return parse_moment(self.to)


class Punctuality(Strict):
    """Arrival relative to the appointment, uniform in [earliest, latest] minutes (negative is early).
    Default Uniform(-15, +20) from an MRI scheduling study (reference 2.3)."""

    earliest: float = -15.0
    latest: float = 20.0

    @model_validator(mode="after")
    def _ordered(self):
        if self.latest < self.earliest:
            raise ValueError("latest must not come before earliest")
        return self


class Referral(Strict):
    """One urgency category of referrals to a booked list (e.g. two-week-wait suspected cancer, routine): they
    join the waiting list and are booked once a day into the first free slot, the most urgent category first."""

    per_week: float = Field(ge=0, le=MAX_EXAMS_PER_DAY * 7, description="Mean referrals a week (Poisson, every day "
                                                                      "alike).")
    target_days: float | None = Field(None, gt=0, le=MAX_DAYS, description="Waiting-time target: referral -> "
                                                                          "appointment, in days; default none.")
    priority: str | None = Field(None, description="The priority the exam is done and read at; default the book's.")
    lead_days: float = Field(1.0, ge=0, le=365, description="No appointment sooner than this many days after the "
                                                            "referral (letters, preparation).")


class AppointmentBook(Strict):
    """Booked outpatient slots on one modality's scanners."""

    modality: str
    sessions: Windows = Field(min_length=1, description="Session hours and days.")
    slot_minutes: float = Field(ge=1, le=MAX_MINUTES)
    parallel: int = Field(1, ge=1, le=MAX_ROOMS, description="Slots booked side by side (e.g. one per scanner).")
    booked_share: float = Field(1.0, ge=0, le=1, description="Share of slots that are booked.")
    no_show: float = Field(0.0, ge=0, le=1, description="Share of booked patients who do not come.")
    punctuality: Punctuality = Field(default_factory=Punctuality)
    exam_mix: dict[str, Annotated[float, Field(ge=0)]]
    priority: str = "outpatient"
    source: str = Field("outpatient", description="The source the patients count under.")
    queue_after: str | None = Field(
        None, description="Protect the slots: booked patients wait in the scanner queue just after this priority "
                          "(e.g. trauma: ahead of STAT and inpatient add-ons); default at their own priority.")
    referrals: dict[str, Referral] = Field(
        default_factory=dict, description="A waiting list: referrals by urgency category, most urgent first; the "
                                          "slots are then booked from the list, not by booked_share.")
    start_tolerance_minutes: float = Field(
        30.0, gt=0, le=MAX_MINUTES, description="Booked patients should start within this long after their slot; "
                                                "the summary gives the share who did (a department's own standard; "
                                                "30 min is a judgement).")

    @field_validator("exam_mix")
    @classmethod
    def _mix(cls, value):
        return _weights_positive(value, "exam_mix")


class ReportOptions(Strict):
    """What the run's report shows (the narrative window)."""

    timeline: Period | None = Field(None, description="Window of the timeline figure; default the first day after warm-up.")
    narrative: Period | None = Field(None, description="If set, report.html tells the story of this window.")


class Break(Strict):
    """A daily break (lunch, rest). The group is split into `waves` taking it one after another, so it never
    leaves all at once; whoever is busy at their time takes it after the task in hand, and a case of a
    priority that defers breaks waiting for them comes first."""

    start: ClockTime
    minutes: float = Field(gt=0, le=1440)
    waves: int = Field(2, ge=1, le=MAX_HEAD_COUNT, description="Members take it in this many successive waves, `minutes` apart.")


class PeopleGroup(Strict):
    """People on a roster: head count, names, shifts and breaks."""

    count: int = Field(ge=0, le=MAX_HEAD_COUNT, description="Head count; 0 switches the group off (useful in variants).")
    names: list[str] | None = Field(
        None, description="Optional names for the first people; `count` decides how many there are.")
    shifts: Windows = Field(min_length=1)
    breaks: list[Break] = Field(default_factory=list, description="Daily breaks taken while on duty.")

    @field_validator("names")
    @classmethod
    def _unique_names(cls, value):
        if value is not None and len(set(value)) != len(value):
            raise ValueError("names must be unique")
        return value

    def member_names(self, label: str) -> list[str]:
        """One name per person: the given names first, then label-N for the rest."""
        given = self.given_names()
        return given + [f"{label}-{i + 1}" for i in range(len(given), self.count)]

    def given_names(self) -> list[str]:
        return list(self.names or [])[: self.count]


class StaffGroup(PeopleGroup):
    """A staff group of the imaging side: people credentialed for the listed modalities."""

    modalities: list[str] = Field(min_length=1)


class PorterGroup(PeopleGroup):
    """Porters who take patients from the ward to the department and back (see a source's `transport`)."""


class AnaesthesiaGroup(PeopleGroup):
    """Anaesthetists (or sedation teams) who attend sedated acquisitions (see an exam type's `sedation`)."""


class TechnologistGroup(StaffGroup):
    """Radiologic technologists credentialed for the listed modalities."""


def _rate_profile(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)] * 24
    return value


class Interruptions(Strict):
    """Phone calls, consults and technologist questions that take a reader away from the worklist.

    Defaults from the reading-room studies in the reference figures: 3-6 per hour per reader by day
    and about 6 per hour overnight; each takes about 1-1.6 min; a study whose read is interrupted costs
    about +1 (XR), +2 (US), +6 (CT) or +10 (MR) minutes (Curr Probl Diagn Radiol 2022).
    """

    per_hour: Annotated[list[Annotated[float, Field(ge=0, le=MAX_PER_HOUR)]], BeforeValidator(_rate_profile)] = Field(
        default_factory=lambda: [6.0] * 7 + [4.5] * 10 + [6.0] * 7, min_length=24, max_length=24,
        description="Interruptions per hour per reader: one number, or 24 values by hour of day.")
    duration: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 1.3, "cv": 0.8}, validate_default=True,
        description="Minutes each interruption takes.")
    resumption_penalty: dict[str, Annotated[float, Field(ge=0, le=MAX_MINUTES)]] = Field(
        default_factory=lambda: {"XR": 1.0, "US": 2.0, "CT": 6.0, "MR": 10.0},
        description="Minutes added once to a study whose read is interrupted, by modality (others: 0).")
    spared: list[str] = Field(
        default_factory=list, description="Priorities whose reads are not interrupted: a call for a reader reading "
                                          "one of them goes to a colleague or waits (e.g. [stroke], a code in hand).")


class NonInterpretive(Strict):
    """Non-interpretive work at set times that takes radiologists off the worklist: a multidisciplinary or
    tumour-board meeting, a teaching read-out, QA and peer review, administration. Radiologists spend 36.4 % of
    their time interpreting and 43.8 % on non-interpretive work (Dhanoa et al., JACR 2013)."""

    name: str = Field("non-interpretive work", description="What it is, e.g. tumour board.")
    start: ClockTime
    minutes: float = Field(gt=0, le=1440)
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    members: int = Field(1, ge=1, le=MAX_HEAD_COUNT, description="How many of the group on duty then take part; "
                                                               "they take turns from day to day.")


class RadiologistGroup(StaffGroup):
    """Radiologists who read the listed modalities, subspecialties and priorities."""

    speed: float = Field(1.0, ge=0.01, le=100, description="Multiplies read times: 1.5 is half as fast again (a trainee).")
    transmission_minutes: float = Field(
        0.0, ge=0, le=MAX_MINUTES, description="A remote group sees a study only this long after its images are complete.")
    reports: Literal["final", "preliminary"] = Field(
        "final", description="preliminary: this group's reads are prelims that an attending group then finalises.")
    interruptions: Interruptions | None = Field(None, description="Interruptions while on duty; default none.")
    call_in_minutes: float = Field(
        0.0, ge=0, le=MAX_MINUTES, description="An interventional group on call from home: minutes from the call to "
                                              "being in the IR suite, before each procedure they are called for.")
    non_interpretive: list[NonInterpretive] = Field(
        default_factory=list, description="Meetings, teaching, QA and other work at set times, off the worklist.")

    subspecialties: list[str] | Literal["any"] = "any"
    priorities: list[str] | Literal["all"] = Field(
        "all", description="Priorities this group reads, e.g. a teleradiologist covering only urgent work."
    )


class Scenario(Strict):
    """A radiology department and the demand on it, for one simulated period."""

    name: str = "unnamed scenario"
    description: str = ""
    days: int = Field(gt=0, le=MAX_DAYS, description="Horizon in days.")
    warmup_days: float = Field(0, ge=0, description="Exams ordered before this are left out of the statistics.")
    seed: int = Field(1, ge=0, lt=2**63)
    start_weekday: Weekday = "mon"
    morning: ClockTime = Field("08:00", validate_default=True, description="When the morning backlog is measured (default 08:00).")
    priorities: dict[str, Priority] = Field(default_factory=lambda: dict(DEFAULT_PRIORITIES), min_length=1)
    modalities: dict[str, Modality] = Field(min_length=1)
    exam_types: dict[str, ExamType] = Field(min_length=1)
    demand: dict[str, Source] = Field(default_factory=dict)
    orders: list[ScriptedOrder] = Field(default_factory=list, description="Orders at fixed times.")
    appointments: dict[str, AppointmentBook] = Field(default_factory=dict, description="Booked outpatient slots.")
    report: ReportOptions = Field(default_factory=ReportOptions, description="What report.html shows.")
    costs: Costs = Field(default_factory=Costs, description="Pay rates and premiums for staff cost.")
    targets: list[TurnaroundTarget] = Field(
        default_factory=list, description="Targets on any turnaround measure, besides each priority's own.")
    ai_triage: AITriage = Field(default_factory=AITriage, description="What an AI flag does on the worklist.")
    reading: ReadingOptions = Field(default_factory=ReadingOptions, description="Critical calls and reading rules.")
    technologists: dict[str, TechnologistGroup] = Field(min_length=1)
    radiologists: dict[str, RadiologistGroup] = Field(min_length=1)
    porters: dict[str, PorterGroup] = Field(default_factory=dict, description="Porters, for sources with transport.")
    anaesthesia: dict[str, AnaesthesiaGroup] = Field(default_factory=dict,
                                                     description="Anaesthetists, for exam types with sedation.")

    @property
    def priority_names(self) -> list[str]:
        return list(self.priorities)

    @property
    def source_names(self) -> list[str]:
        """Demand sources, then any source named only by scripted orders."""
        names = list(self.demand)
        for source in [o.source for o in self.orders] + [b.source for b in self.appointments.values()]:
            if source not in names:
                names.append(source)
        return names


def can_read(group, modality: str, subspecialty: str, priority: str, any_subspecialty: str | None = None) -> bool:
    """Whether a radiologist group may read studies of this modality, subspecialty and priority.

    A study whose subspecialty is `any_subspecialty` (after the fallback wait) may be read by any subspecialty.
    """
    return (
        modality in group.modalities
        and (group.subspecialties == "any" or subspecialty == any_subspecialty or subspecialty in group.subspecialties)
        and (group.priorities == "all" or priority in group.priorities)
    )


def demanded(scenario: Scenario) -> dict[str, set[str]]:
    """Each exam type that can be ordered, with the priorities it can be ordered at."""
    out: dict[str, set[str]] = {}
    for src in scenario.demand.values():
        if src.exams_per_day > 0:
            for exam_name, share in src.exam_mix.items():
                if share.share > 0:
                    out.setdefault(exam_name, set()).update(p for p, w in src.priority_mix_for(exam_name).items() if w > 0)
    for order in scenario.orders:
        out.setdefault(order.exam_type, set()).add(order.priority)
    for book in scenario.appointments.values():
        for exam_name in book.exam_mix:
            out.setdefault(exam_name, set()).update(book_priorities(book))
    for exam_name, priorities in list(out.items()):  # an order changed at its protocol is done as another type
        exam = scenario.exam_types.get(exam_name)
        if exam is not None and exam.protocol is not None:
            protocolled = {p for p in priorities if p in scenario.priorities
                           and not scenario.priorities[p].standing_protocol}
            for target, share in exam.protocol_changes.items():
                if share > 0 and protocolled and target in scenario.exam_types:
                    out.setdefault(target, set()).update(protocolled)
    return out


def book_priorities(book: AppointmentBook) -> dict[str, float]:
    """The priorities a book's patients come at, weighted: the book's own, or its referral categories' by rate."""
    if not book.referrals:
        return {book.priority: 1.0}
    weights: dict[str, float] = {}
    for referral in book.referrals.values():
        name = referral.priority or book.priority
        weights[name] = weights.get(name, 0.0) + referral.per_week
    return weights if sum(weights.values()) > 0 else {book.priority: 1.0}
