"""Opinion solicitation (征求意见): public forms, submissions, replies and the submission throttle.

Triage of a submitted opinion (duplicate, merge, reject, promote) is triage
of its finding: callers use :mod:`.findings` on ``opinion.finding``.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from rectify.campaigns.models import Campaign, Target
from rectify.core.services import attribute_history
from rectify.ledger.models import Source
from rectify.org.models import Unit
from rectify.org.scoping import can_change_unit

from ..models import TEXT_MAX_LENGTH, Opinion, OpinionForm, SubmissionThrottle
from .findings import record_finding

#: Random bytes of a receipt code: 16 bytes are 128 bits, shown as 22 URL-safe characters.
RECEIPT_BYTES = 16
#: Random bytes of a public link's key (192 bits).
LINK_KEY_BYTES = 24
#: Salt of the client hash, so that the same address hashes differently elsewhere.
_THROTTLE_SALT = "rectify.inspection.opinions.throttle"


def receipt_hash(code: str) -> str:
    """The SHA-256 kept for a receipt code (the code itself is never stored)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


def client_key(address: str) -> str:
    """A salted HMAC-SHA256 of a client's address: counts its submissions, never reveals it."""
    return salted_hmac(_THROTTLE_SALT, address or "", algorithm="sha256").hexdigest()


def rate_window() -> tuple[int, dt.timedelta]:
    """``(submissions allowed, within this window)`` from ``RECTIFY_OPINION_RATE``."""
    count, seconds = settings.RECTIFY_OPINION_RATE
    return int(count), dt.timedelta(seconds=int(seconds))


def _within_limit(**texts: str) -> None:
    """Refuse texts over :data:`TEXT_MAX_LENGTH` (a model ``TextField`` never checks length)."""
    errors = {}
    for name, value in texts.items():
        try:
            MaxLengthValidator(TEXT_MAX_LENGTH)(value)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)


def require_unit_admin(user, unit: Unit) -> None:
    """Refuse (403) anyone but the administrators of ``unit`` and above."""
    if not can_change_unit(user, unit):
        raise PermissionDenied(
            _("You may not manage the opinion forms of “%(unit)s”.") % {"unit": unit}
        )


@transaction.atomic
def opinion_form_create(
    *, campaign: Campaign, unit: Unit, title: str, introduction: str = "", acting_user
) -> OpinionForm:
    """Open a public opinion form of ``unit`` in ``campaign``, reached by an unguessable link."""
    require_unit_admin(acting_user, unit)
    if not campaign.includes_unit(unit):
        raise ValidationError({"unit": _("This unit does not take part in the campaign.")})
    form = OpinionForm(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        introduction=introduction.strip(),
        token=secrets.token_urlsafe(LINK_KEY_BYTES),
        created_by=acting_user,
    )
    form.full_clean()
    attribute_history(form, acting_user=acting_user)
    form.save()
    return form


@transaction.atomic
def opinion_form_set_open(*, form: OpinionForm, is_open: bool, acting_user) -> OpinionForm:
    """Open or close ``form``: a closed form says so and accepts nothing."""
    require_unit_admin(acting_user, form.unit)
    form = OpinionForm.objects.select_for_update().get(pk=form.pk)
    if form.is_open != is_open:
        form.is_open = is_open
        reason = _("Opened to submissions") if is_open else _("Closed to submissions")
        attribute_history(form, acting_user=acting_user, reason=reason)
        form.save()
    return form


def accepts_submissions(form: OpinionForm) -> bool:
    """True while ``form`` is open and its campaign and unit are alive."""
    return form.is_open and not form.campaign.is_deleted and not form.unit.is_deleted


@transaction.atomic
def opinion_submit(
    *,
    form: OpinionForm,
    text: str,
    target: Target | None = None,
    anonymous: bool = True,
    name: str = "",
    organization: str = "",
    phone: str = "",
    client: str | None,
) -> tuple[Opinion, str]:
    """Store an opinion and its finding; return it with the receipt code, shown once.

    An anonymous opinion keeps no personal field, whatever was sent.
    ``client`` is the sender's :func:`client_key`, counted by the throttle;
    ``None`` for opinions not sent over the web (the demo).
    """
    form = OpinionForm.objects.select_related("campaign", "unit").get(pk=form.pk)
    if not accepts_submissions(form):
        raise ValidationError(_("This opinion form is closed and accepts no more opinions."))
    if anonymous:
        name = organization = phone = ""
    opinion, code = _store(
        form,
        text=text,
        target=target,
        anonymous=anonymous,
        name=name,
        organization=organization,
        phone=phone,
    )
    if client is not None:
        throttle_record(client=client)
    return opinion, code


@transaction.atomic
def opinion_record(*, form: OpinionForm, text: str, acting_user, target: Target | None = None):
    """Staff record an opinion gathered another way (a survey comment, a paper form).

    It lands in the form's inbox and the unit's triage queue like a submitted
    one, anonymous and without a receipt, whether or not the form is open to
    the public.
    """
    require_unit_admin(acting_user, form.unit)
    form = OpinionForm.objects.select_related("campaign", "unit").get(pk=form.pk)
    opinion, _code = _store(form, text=text, target=target)
    return opinion


def _store(
    form: OpinionForm,
    *,
    text: str,
    target: Target | None,
    anonymous: bool = True,
    name: str = "",
    organization: str = "",
    phone: str = "",
) -> tuple[Opinion, str]:
    """Save an opinion and its finding; the caller holds the transaction and blanks an
    anonymous one's personal fields."""
    _within_limit(text=text.strip())
    code = secrets.token_urlsafe(RECEIPT_BYTES)
    opinion = Opinion(
        form=form,
        text=text.strip(),
        target=target,
        anonymous=anonymous,
        name=name.strip(),
        organization=organization.strip(),
        phone=phone.strip(),
        receipt_hash=receipt_hash(code),
    )
    opinion.full_clean()
    opinion.save()
    record_finding(
        campaign=form.campaign,
        unit=form.unit,
        source=Source.OPINIONS,
        text=opinion.text,
        target=target,
        opinion=opinion,
    )
    return opinion, code


@transaction.atomic
def throttle_record(*, client: str) -> None:
    """Count one submission of ``client`` now, and forget every submission older than the window."""
    now = timezone.now()
    _count, window = rate_window()
    SubmissionThrottle.objects.filter(submitted_at__lt=now - window).delete()
    SubmissionThrottle.objects.create(client_hash=client, submitted_at=now)


@transaction.atomic
def opinion_reply(*, opinion: Opinion, reply: str, acting_user) -> Opinion:
    """Answer ``opinion``; a submitter who kept the receipt code reads the reply."""
    require_unit_admin(acting_user, opinion.form.unit)
    opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("Write the reply.")})
    _within_limit(reply=reply)
    opinion.reply = reply
    opinion.replied_at = timezone.now()
    opinion.replied_by = acting_user
    opinion.full_clean()
    attribute_history(opinion, acting_user=acting_user, reason=_("Replied"))
    opinion.save()
    return opinion
