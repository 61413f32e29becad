"""Every write of satisfaction evaluation: surveys, rounds, tokens, responses, promotion.

A response is recorded apart from the token it was given under: the token is
only marked used, both carry the day and no time, and neither points at the
other (see ``docs/guide-evaluation.md``).
"""

import base64
import hashlib
import secrets
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rectify.campaigns.models import Campaign
from rectify.core.services import attribute_history
from rectify.inspection.models import TEXT_MAX_LENGTH, Opinion
from rectify.inspection.services import opinions as opinion_services
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from .models import (
    Answer,
    Choice,
    CommentChannel,
    OpenLink,
    Question,
    QuestionKind,
    Response,
    Round,
    Survey,
    Token,
)

#: The default scale: label, weight in percent (``None``: not scored), counts as satisfied.
#: 满意 / 基本满意 / 不满意 weigh 100 / 75 / 55 as in Shandong practice; 比较满意 sits between
#: 满意 and 基本满意 at 90; 不了解 is not scored and leaves the denominator.
DEFAULT_SCALE = (
    (gettext_lazy("Satisfied"), 100, True),
    (gettext_lazy("Fairly satisfied"), 90, True),
    (gettext_lazy("Basically satisfied"), 75, True),
    (gettext_lazy("Dissatisfied"), 55, False),
    (gettext_lazy("Don't know"), None, False),
)
#: Random bytes of a respondent token: 16 bytes, 128 bits, 26 base-32 characters.
TOKEN_BYTES = 16
#: At most this many tokens per batch (a sheet to print, not a mailing).
MAX_BATCH = 500
#: Random bytes of an open link's key (192 bits), as for opinion forms.
LINK_KEY_BYTES = opinion_services.LINK_KEY_BYTES


class ResponseRefused(ValidationError):
    """A response that cannot be taken; ``code`` says why: unknown, used or closed."""


#: Base 32 has no 0, 1 or 8: read them as the letters people mistake them for.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalize_code(code: str) -> str:
    """A token as typed or scanned, without case, spaces or dashes, look-alike digits read."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum()).translate(_LOOKALIKES)


def token_hash(code: str) -> str:
    """The SHA-256 kept for a token (the token itself is never stored)."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def new_code() -> str:
    """A fresh token: 128 random bits in base 32 (letters and digits, easy to type)."""
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().rstrip("=")


def require_survey_admin(user, unit: Unit) -> None:
    """Refuse (403) anyone but the administrators of ``unit`` and above."""
    if not can_change_unit(user, unit):
        raise PermissionDenied(_("You may not manage the surveys of “%(unit)s”.") % {"unit": unit})


def accepts_responses(round_: Round) -> bool:
    """True while the survey is open, its campaign alive, and ``round_`` is its latest round."""
    survey = round_.survey
    if not survey.is_open or survey.campaign.is_deleted:
        return False
    return not survey.rounds.filter(order__gt=round_.order).exists()


@transaction.atomic
def survey_create(
    *,
    campaign: Campaign,
    unit: Unit,
    units: list[Unit],
    title: str,
    introduction: str = "",
    show_briefing: bool = True,
    threshold: int | None = None,
    min_sample: int | None = None,
    first_round: str = "",
    acting_user,
) -> Survey:
    """Create a survey of ``units`` run by ``unit``: the default scale, its questions, round 1.

    Questions: an overall rating, one rating per target of the campaign, and free text.
    """
    require_survey_admin(acting_user, unit)
    if not campaign.includes_unit(unit):
        raise ValidationError({"unit": _("This unit does not take part in the campaign.")})
    if not units:
        raise ValidationError({"units": _("Choose the units to evaluate.")})
    outside = [u for u in units if not u.is_within(unit) or not campaign.includes_unit(u)]
    if outside:
        raise ValidationError(
            {
                "units": _("“%(unit)s” is not under the organizing unit in this campaign.")
                % {"unit": outside[0]}
            }
        )
    survey = Survey(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        introduction=introduction.strip(),
        show_briefing=show_briefing,
        created_by=acting_user,
    )
    if threshold is not None:
        survey.threshold = threshold
    if min_sample is not None:
        survey.min_sample = min_sample
    survey.full_clean()
    attribute_history(survey, acting_user=acting_user)
    survey.save()
    survey.units.set(units)
    Choice.objects.bulk_create(
        Choice(survey=survey, order=i, label=str(label), weight=weight, satisfied=satisfied)
        for i, (label, weight, satisfied) in enumerate(DEFAULT_SCALE, start=1)
    )
    questions = [
        Question(
            kind=QuestionKind.OVERALL,
            prompt=_("Overall, how satisfied are you with the unit's campaign and rectification?"),
        )
    ]
    questions += [
        Question(kind=QuestionKind.TARGET, target=target, prompt=target.title)
        for target in campaign.targets.all()
    ]
    questions.append(Question(kind=QuestionKind.COMMENT, prompt=_("Your comments and suggestions")))
    for order, question in enumerate(questions, start=1):
        question.survey, question.order = survey, order
    Question.objects.bulk_create(questions)
    Round.objects.create(survey=survey, order=1, name=first_round.strip() or _("Round 1"))
    return survey


@transaction.atomic
def survey_set_open(*, survey: Survey, is_open: bool, acting_user) -> Survey:
    """Open or close ``survey``: a closed survey says so and accepts nothing."""
    require_survey_admin(acting_user, survey.unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.is_open != is_open:
        survey.is_open = is_open
        reason = _("Opened to responses") if is_open else _("Closed to responses")
        attribute_history(survey, acting_user=acting_user, reason=reason)
        survey.save()
    return survey


@transaction.atomic
def round_create(*, survey: Survey, name: str, acting_user) -> Round:
    """Start a new round of ``survey`` (e.g. after rectification); earlier rounds stop answering."""
    require_survey_admin(acting_user, survey.unit)
    Survey.objects.select_for_update().get(pk=survey.pk)  # one new round at a time
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the round.")})
    last = survey.rounds.order_by("-order").values_list("order", flat=True).first() or 0
    return Round.objects.create(survey=survey, order=last + 1, name=name)


@transaction.atomic
def scale_update(
    *, survey: Survey, choices: list[tuple[Choice, str, int | None, bool]], acting_user
) -> None:
    """Relabel and reweigh ``survey``'s scale: ``(choice, label, weight, satisfied)`` each."""
    require_survey_admin(acting_user, survey.unit)
    errors = {}
    for choice, label, weight, satisfied in choices:
        if choice.survey_id != survey.pk:
            raise ValidationError(_("This answer belongs to another survey."))
        choice.label, choice.weight, choice.satisfied = label.strip(), weight, satisfied
        try:
            choice.full_clean()
        except ValidationError as exc:
            errors[f"label_{choice.pk}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    Choice.objects.bulk_update(
        [choice for choice, *_rest in choices], ["label", "weight", "satisfied"]
    )


def _check_unit(round_: Round, unit: Unit) -> None:
    if not round_.survey.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("This unit is not evaluated by the survey.")})


@transaction.atomic
def tokens_generate(
    *, round_: Round, unit: Unit, count: int, acting_user
) -> list[tuple[Token, str]]:
    """Issue ``count`` one-time tokens of ``round_`` for ``unit``; the codes are returned once.

    Only the hash of each code is kept: print the sheet now, it cannot be printed again.
    """
    require_survey_admin(acting_user, round_.survey.unit)
    _check_unit(round_, unit)
    if not 1 <= count <= MAX_BATCH:
        raise ValidationError(
            {"count": _("Issue between 1 and %(max)s tokens at a time.") % {"max": MAX_BATCH}}
        )
    Round.objects.select_for_update().get(pk=round_.pk)  # serial numbers stay unique
    last = (
        Token.objects.filter(round=round_, unit=unit)
        .order_by("-serial")
        .values_list("serial", flat=True)
        .first()
        or 0
    )
    today = timezone.localdate()
    codes = [new_code() for _i in range(count)]
    tokens = Token.objects.bulk_create(
        Token(round=round_, unit=unit, serial=last + i, code_hash=token_hash(code), issued_on=today)
        for i, code in enumerate(codes, start=1)
    )
    return list(zip(tokens, codes, strict=True))


@transaction.atomic
def open_link_create(*, round_: Round, unit: Unit, acting_user) -> OpenLink:
    """The open link of ``round_`` for ``unit`` (made once, then reused): anyone may answer."""
    require_survey_admin(acting_user, round_.survey.unit)
    _check_unit(round_, unit)
    link, _created = OpenLink.objects.get_or_create(
        round=round_, unit=unit, defaults={"key": secrets.token_urlsafe(LINK_KEY_BYTES)}
    )
    return link


def _validated_answers(survey: Survey, answers: Mapping[int, object]) -> list[Answer]:
    """Unsaved answers from ``{question id: choice id or text}``; every rating must be answered."""
    choices = {c.pk: c for c in survey.choices.all()}
    rows, errors = [], {}
    for question in survey.questions.all():
        value = answers.get(question.pk)
        field = f"q{question.pk}"
        if question.is_rating:
            choice = choices.get(value if isinstance(value, int) else getattr(value, "pk", None))
            if choice is None:
                errors[field] = _("Choose an answer.")
            else:
                rows.append(Answer(question=question, choice=choice))
        else:
            text = str(value or "").strip()
            if len(text) > TEXT_MAX_LENGTH:
                errors[field] = _("At most %(max)s characters.") % {"max": TEXT_MAX_LENGTH}
            elif text:
                rows.append(Answer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    return rows


def _record(round_: Round, unit: Unit, answers: Mapping[int, object]) -> Response:
    """Store one ballot about ``unit``, stamped with the day only (caller holds the transaction)."""
    rows = _validated_answers(round_.survey, answers)
    response = Response.objects.create(round=round_, unit=unit, submitted_on=timezone.localdate())
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


@transaction.atomic
def response_submit_with_token(*, code: str, answers: Mapping[int, object]) -> Response:
    """Take a ballot given under a one-time token, and mark the token used (and nothing else).

    Raises :class:`ResponseRefused` (code ``unknown``, ``used`` or ``closed``) and
    records nothing when the token cannot be used.
    """
    token = (
        Token.objects.select_for_update()
        .select_related("round__survey__campaign", "unit")
        .filter(code_hash=token_hash(code))
        .first()
    )
    if token is None:
        raise ResponseRefused(_("This code is not valid."), code="unknown")
    if token.used:
        raise ResponseRefused(_("This code has already been used."), code="used")
    if not accepts_responses(token.round):
        raise ResponseRefused(_("This survey is closed."), code="closed")
    response = _record(token.round, token.unit, answers)
    token.used, token.used_on = True, timezone.localdate()
    token.save(update_fields=["used", "used_on"])
    return response


@transaction.atomic
def response_submit_open(
    *, link: OpenLink, answers: Mapping[int, object], client: str | None
) -> Response:
    """Take a ballot through an open link; ``client`` is counted by the opinion forms' throttle."""
    link = OpenLink.objects.select_related("round__survey__campaign", "unit").get(pk=link.pk)
    if not accepts_responses(link.round):
        raise ResponseRefused(_("This survey is closed."), code="closed")
    response = _record(link.round, link.unit, answers)
    if client is not None:
        opinion_services.throttle_record(client=client)
    return response


def _comment_channel(survey: Survey, unit: Unit, acting_user) -> CommentChannel:
    """The survey's opinion form for ``unit``, closed to the public, made on first use."""
    channel = CommentChannel.objects.select_related("form").filter(survey=survey, unit=unit).first()
    if channel is not None:
        return channel
    form = opinion_services.opinion_form_create(
        campaign=survey.campaign,
        unit=unit,
        title=_("Comments from the survey “%(survey)s”") % {"survey": survey.title},
        introduction=_("Comments of respondents, promoted by staff; not open to the public."),
        acting_user=acting_user,
    )
    opinion_services.opinion_form_set_open(form=form, is_open=False, acting_user=acting_user)
    return CommentChannel.objects.create(survey=survey, unit=unit, form=form)


@transaction.atomic
def comment_promote(*, answer: Answer, acting_user) -> Opinion:
    """Turn a free-text comment into an opinion (and its finding) in the unit's triage queue.

    The opinion is recorded by staff (:func:`rectify.inspection.services.opinions.opinion_record`)
    on a form of the survey and unit that is kept closed to the public.
    """
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    response = Response.objects.select_related("round__survey__campaign", "unit").get(
        pk=answer.response_id
    )
    survey, unit = response.round.survey, response.unit
    require_survey_admin(acting_user, unit)
    if answer.question.is_rating or not answer.text:
        raise ValidationError(_("Only comments can be promoted."))
    if answer.promoted_to_id is not None:
        raise ValidationError(_("This comment has already been promoted."))
    form = _comment_channel(survey, unit, acting_user).form
    opinion = opinion_services.opinion_record(form=form, text=answer.text, acting_user=acting_user)
    answer.promoted_to = opinion
    answer.save(update_fields=["promoted_to"])
    return opinion
