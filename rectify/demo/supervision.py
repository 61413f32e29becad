"""Demo supervision (督办): urges on overdue measures and deadline-change requests.

The guidance-group member ``zhidaozu`` urges the longest-overdue measures (one
of them twice, one of them ``zeren``'s) and the city association's leader urges
one of the city's own.
The responsible person ``zeren`` asks to move three deadlines: the leader
approves one, refuses one, and one waits for a decision. So the lists' urge
and extension columns, the standing report's supervision figures and the
inboxes of the demo logins all have something to show.

Measures are named by their exact content. An urge is matched by measure,
author and message; a request by measure and reason, and decided only while
it is pending. A second run adds nothing, and one on a ledger changed since
skips what the services would now refuse (urging a measure done meanwhile).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from rectify.ledger.models import ExtensionRequest, ExtensionStatus, Measure, Urge
from rectify.ledger.services import (
    can_decide_extension,
    can_request_extension,
    can_urge,
    extension_decide,
    extension_request,
    measure_urge,
)


@dataclass(frozen=True)
class UrgeSpec:
    """``by`` (a demo username) urges the measure whose content is ``measure``."""

    measure: str
    by: str
    message: str


@dataclass(frozen=True)
class ExtensionSpec:
    """``zeren`` asks ``days`` more for ``measure``; ``decision`` is approve, refuse or ""."""

    measure: str
    days: int
    reason: str
    decision: str = ""
    note: str = ""


URGES = [
    UrgeSpec(
        "分管负责同志每月到一个街道科协调研指导。",
        "zhidaozu",
        "该项措施已超期三周以上，请于本周五前报送调研指导情况和下一步安排。",
    ),
    UrgeSpec(
        "分管负责同志每月到一个街道科协调研指导。",
        "zhidaozu",
        "前次督办后仍未报送进展，请分管负责同志当面说明情况。",
    ),
    UrgeSpec(
        "开展学会能力提升专项培训。",
        "zhidaozu",
        "培训已超期，请明确培训时间、对象和内容，三日内报指导组。",
    ),
    UrgeSpec(
        "高质量召开专题组织生活会，逐一开展批评和自我批评。",
        "zhidaozu",
        "专题组织生活会尚未召开，请抓紧制定方案并报指导组列席。",
    ),
    UrgeSpec(
        "对近三年项目经费使用情况开展自查。",
        "zhidaozu",
        "经费自查已超期，请尽快形成自查报告。",
    ),
    UrgeSpec(
        "围绕基层科普阵地建设开展专题学习研讨，形成调研报告一篇。",
        "zhidaozu",
        "调研报告已超期，请抓紧完成并报送指导组。",
    ),
    UrgeSpec(
        "开展纪律作风专项整顿，组织党员干部签订遵规守纪承诺书。",
        "leader",
        "请办公室牵头，本月底前完成承诺书签订并报送整顿情况。",
    ),
]

EXTENSIONS = [
    ExtensionSpec(
        "推动农村中学科技馆和社区科普e站共建共享。",
        30,
        "共建学校寒假前无法安排场地，需顺延至寒假后开展。",
        decision="approve",
        note="同意顺延，请按新的时限完成。",
    ),
    ExtensionSpec(
        "围绕基层科普阵地建设开展专题学习研讨，形成调研报告一篇。",
        45,
        "调研范围扩大到全区各街道，需要更多时间。",
        decision="refuse",
        note="调研报告可先形成初稿，不同意延期，请按原时限完成。",
    ),
    ExtensionSpec(
        "对乡镇科协“三长”配备情况开展专项督查。",
        21,
        "部分乡镇换届尚未完成，“三长”人选待定，申请延后三周督查。",
    ),
]

#: Who asks to move the deadlines, and who decides (the campaign's approver is the leader).
REQUESTER, DECIDER = "zeren", "leader"


def _measure(campaign, content: str) -> Measure:
    return Measure.objects.select_related("unit", "campaign").get(
        campaign=campaign, content=content
    )


@transaction.atomic
def load(*, campaign, units, people, targets, admin) -> int:
    """Record the urges and requests of :data:`URGES` and :data:`EXTENSIONS` missing so far;
    the number created."""
    logins = get_user_model().objects.in_bulk(
        {spec.by for spec in URGES} | {REQUESTER, DECIDER}, field_name="username"
    )
    created = 0
    for spec in URGES:
        measure = _measure(campaign, spec.measure)
        by = logins[spec.by]
        if Urge.objects.filter(measure=measure, by=by, message=spec.message).exists():
            continue
        if can_urge(by, measure):  # not once the measure was done since an earlier load
            measure_urge(measure=measure, message=spec.message, acting_user=by)
            created += 1
    for spec in EXTENSIONS:
        measure = _measure(campaign, spec.measure)
        request = ExtensionRequest.objects.filter(measure=measure, reason=spec.reason).first()
        if request is None:
            if not can_request_extension(logins[REQUESTER], measure):
                continue
            request = extension_request(
                measure=measure,
                new_deadline=measure.deadline + dt.timedelta(days=spec.days),
                reason=spec.reason,
                acting_user=logins[REQUESTER],
            )
            created += 1
        pending = request.status == ExtensionStatus.PENDING
        if spec.decision and pending and can_decide_extension(logins[DECIDER], measure):
            measure.refresh_from_db()
            extension_decide(
                request=request,
                approve=spec.decision == "approve",
                expected_version=measure.version,
                acting_user=logins[DECIDER],
                note=spec.note,
            )
    return created
