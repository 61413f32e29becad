"""Reads of satisfaction evaluation: surveys in scope, results per unit and question, briefing."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from rectify.ledger.models import Measure, MeasureStatus, Problem, ProblemStatus
from rectify.ledger.selectors import with_problem_status
from rectify.org.models import PATH_END, Unit
from rectify.org.scoping import visible_to

from . import rates
from .models import Answer, Choice, Question, QuestionKind, Response, Round, Survey, Token
from .services import token_hash


def surveys_visible_to(user) -> QuerySet[Survey]:
    """Surveys the user may see, with their campaign and organizing unit."""
    return visible_to(Survey.objects.all(), user).select_related("campaign", "unit")


def answers_visible_to(user) -> QuerySet[Answer]:
    """Answers (comments among them) of the surveys the user may see."""
    return visible_to(Answer.objects.all(), user).select_related(
        "question", "response__round__survey", "response__unit", "promoted_to"
    )


def token_of(code: str) -> Token | None:
    """The token whose code is ``code`` (as typed or scanned), or ``None``."""
    return (
        Token.objects.select_related("round__survey__campaign", "unit")
        .filter(code_hash=token_hash(code))
        .first()
    )


def scale_of(survey: Survey) -> list[Choice]:
    """The survey's answer choices, in order."""
    return list(survey.choices.all())


@dataclass
class UnitResult:
    """The results of one unit (or of all units: ``unit`` is ``None``) in one round."""

    unit: Unit | None
    responses: int
    overall: rates.Rate
    #: ``(question, rate)`` for every rating question, overall first.
    questions: list[tuple[Question, rates.Rate]] = field(default_factory=list)


def _tallies(
    survey: Survey, round_: Round, units: list[Unit]
) -> tuple[dict[int | None, int], dict[tuple[int | None, int, int], int]]:
    """``({unit: responses}, {(unit, question, choice): answers})`` by id; unit None = all."""
    responses = dict(
        Response.objects.filter(round=round_, unit__in=units)
        .values_list("unit")
        .annotate(n=Count("*"))
        .order_by()
    )
    responses[None] = sum(responses.values())
    counts: dict[tuple[int | None, int, int], int] = defaultdict(int)
    rows = (
        Answer.objects.filter(
            response__round=round_, response__unit__in=units, choice__isnull=False
        )
        .values_list("response__unit", "question", "choice")
        .annotate(n=Count("*"))
        .order_by()
    )
    for unit_id, question_id, choice_id, n in rows:
        counts[(unit_id, question_id, choice_id)] += n
        counts[(None, question_id, choice_id)] += n
    return responses, counts


def round_results(survey: Survey, round_: Round) -> tuple[list[UnitResult], UnitResult]:
    """Every evaluated unit's results in ``round_`` (a few queries), and the total of all units."""
    units = list(survey.units.order_by("path"))
    choices = scale_of(survey)
    scale = [rates.Scale(weight=c.weight, satisfied=c.satisfied) for c in choices]
    questions = [q for q in survey.questions.select_related("target") if q.is_rating]
    responses, counts = _tallies(survey, round_, units)

    def result(unit: Unit | None) -> UnitResult:
        key = unit.pk if unit else None
        n = responses.get(key, 0)
        per_question = [
            (
                q,
                rates.tally(
                    scale,
                    [counts.get((key, q.pk, c.pk), 0) for c in choices],
                    responses=n,
                    min_sample=survey.min_sample,
                    threshold=survey.threshold,
                ),
            )
            for q in questions
        ]
        overall = next(rate for q, rate in per_question if q.kind == QuestionKind.OVERALL)
        return UnitResult(unit=unit, responses=n, overall=overall, questions=per_question)

    return [result(unit) for unit in units], result(None)


@dataclass
class TrendRow:
    """A unit's overall rate in each round, and the change from the first known to the last."""

    unit: Unit | None
    rates: list[float | None]
    change: float | None


def trend_of(survey: Survey) -> tuple[list[Round], list[TrendRow]]:
    """Overall satisfaction per unit across the rounds of ``survey`` (total row last)."""
    rounds = list(survey.rounds.all())
    by_round = [round_results(survey, r) for r in rounds]
    rows = []
    keys: list[Unit | None] = [row.unit for row in by_round[0][0]] + [None] if by_round else []
    for index, unit in enumerate(keys):
        series = [
            (results[index] if unit is not None else total).overall.rate
            for results, total in by_round
        ]
        known = [value for value in series if value is not None]
        change = rates.trend(known[0], known[-1]) if len(known) > 1 else None
        rows.append(TrendRow(unit=unit, rates=series, change=change))
    return rounds, rows


def comments_of(survey: Survey, round_: Round, unit: Unit) -> QuerySet[Answer]:
    """The free-text comments about ``unit`` in ``round_``, in an order that reveals no sequence."""
    return (
        Answer.objects.filter(
            response__round=round_, response__unit=unit, question__kind=QuestionKind.COMMENT
        )
        .exclude(text="")
        .select_related("promoted_to")
        # The response's random UUID: neither insertion order nor time.
        .order_by("response_id")
    )


def token_counts(round_: Round) -> dict[int, dict[str, int]]:
    """Per unit id: tokens issued and used in ``round_``."""
    rows = (
        Token.objects.filter(round=round_)
        .values("unit")
        .annotate(issued=Count("*"), used=Count("pk", filter=Q(used=True)))
        .order_by()
    )
    return {row["unit"]: {"issued": row["issued"], "used": row["used"]} for row in rows}


@dataclass(frozen=True)
class Briefing:
    """What respondents read first (测评会 practice): the unit's rectification results."""

    problems: int
    problems_signed_off: int
    measures: int
    measures_signed_off: int
    signed_off: list[Measure]


def briefing_of(survey: Survey, unit: Unit, *, limit: int = 50) -> Briefing:
    """The rectification results of ``unit``'s subtree in the survey's campaign.

    Public on purpose: a respondent holds no login, and the briefing shows only
    counts and the wording of signed-off measures, never people.
    """
    subtree = Q(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    problems = with_problem_status(Problem.objects.filter(subtree, campaign=survey.campaign))
    problem_counts = problems.aggregate(
        total=Count("pk"), signed_off=Count("pk", filter=Q(derived_status=ProblemStatus.SIGNED_OFF))
    )
    measures = Measure.objects.filter(
        subtree, campaign=survey.campaign, problem__deleted_at__isnull=True
    )
    measure_counts = measures.aggregate(
        total=Count("pk"), signed_off=Count("pk", filter=Q(status=MeasureStatus.SIGNED_OFF))
    )
    signed_off = list(
        measures.filter(status=MeasureStatus.SIGNED_OFF)
        .only("id", "content", "completed_on")
        .order_by("-completed_on", "id")[:limit]
    )
    return Briefing(
        problems=problem_counts["total"],
        problems_signed_off=problem_counts["signed_off"],
        measures=measure_counts["total"],
        measures_signed_off=measure_counts["signed_off"],
        signed_off=signed_off,
    )
