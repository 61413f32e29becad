"""Triage of findings: promote, attach, join, dismiss — links kept both ways, nothing lost."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from rectify.core.testing import make_campaign, make_problem
from rectify.inspection.models import Finding, FindingStatus
from rectify.inspection.services.findings import (
    finding_attach,
    finding_create,
    finding_dismiss,
    finding_join,
    finding_promote,
    record_finding,
)
from rectify.ledger.models import Level, Problem, Source
from rectify.ledger.services import problem_delete
from rectify.ledger.tests.conftest import build_city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """History reasons are written in the active language; assert them in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def city():
    return build_city()


def finding(city, text="服务科技工作者渠道少", *, unit=None, source=Source.OPINIONS, **fields):
    """A finding waiting in the triage queue of ``unit`` (county A unless told)."""
    fields.setdefault("target", city.campaign.targets.first())
    with transaction.atomic():
        return record_finding(
            campaign=city.campaign, unit=unit or city.a, source=source, text=text, **fields
        )


def reasons(obj) -> list[str]:
    """Every reason in ``obj``'s history, oldest first."""
    return [
        r or ""
        for r in obj.history.order_by("history_id").values_list("history_change_reason", flat=True)
    ]


def fresh(obj):
    obj.refresh_from_db()
    return obj


# Promotion


def test_promotion_links_finding_and_problem_both_ways(city):
    found = finding(city, level=Level.LEADER)
    problem = finding_promote(finding=found, acting_user=city.admin_a)
    found = fresh(found)
    assert found.status == FindingStatus.PROMOTED
    assert found.problem == problem
    assert list(problem.findings.all()) == [found]
    assert problem.source == Source.OPINIONS == found.source
    assert problem.unit == city.a and problem.campaign == city.campaign
    assert problem.description == "服务科技工作者渠道少"
    assert problem.level == Level.LEADER
    assert found.triaged_by == city.admin_a and found.triaged_at is not None
    promoted = f"Promoted from finding {found.pk}"
    assert promoted in reasons(found)
    assert promoted in reasons(problem)
    assert problem.history.earliest("history_id").history_user == city.admin_a


def test_promotion_takes_the_triager_s_target_text_level_and_root_cause(city):
    found = finding(city, target=None)
    other_target = city.campaign.targets.last()
    problem = finding_promote(
        finding=found,
        acting_user=city.admin_a,
        target=other_target,
        description="  改写后的问题描述  ",
        level=Level.LEADERSHIP_GROUP,
        root_cause="宗旨意识不强",
    )
    assert (problem.target, problem.description, problem.level, problem.root_cause) == (
        other_target,
        "改写后的问题描述",
        Level.LEADERSHIP_GROUP,
        "宗旨意识不强",
    )
    assert fresh(found).target == other_target
    assert fresh(found).text == "服务科技工作者渠道少", "the finding keeps its own words"


def test_promotion_without_a_target_is_refused_and_writes_nothing(city):
    found = finding(city, target=None)
    with pytest.raises(ValidationError) as refused:
        finding_promote(finding=found, acting_user=city.admin_a)
    assert "target" in refused.value.error_dict
    assert not Problem.all_objects.exists()
    assert fresh(found).status == FindingStatus.NEW


def test_promotion_with_a_target_of_another_campaign_is_refused(city):
    found = finding(city)
    other = make_campaign(city.city)
    with pytest.raises(ValidationError):
        finding_promote(finding=found, acting_user=city.admin_a, target=other.targets.first())
    assert not Problem.all_objects.exists()
    assert fresh(found).status == FindingStatus.NEW


@pytest.mark.parametrize("who", ["admin_b", "zeren"])
def test_promotion_needs_change_rights_on_the_finding_s_unit(city, who):
    found = finding(city)
    with pytest.raises(PermissionDenied):
        finding_promote(finding=found, acting_user=getattr(city, who))
    assert not Problem.all_objects.exists()
    assert fresh(found).status == FindingStatus.NEW


# Attaching to an existing problem


def test_attach_counts_the_finding_as_one_more_source_of_the_problem(city):
    problem = make_problem(city.campaign, city.a, acting_user=city.admin_a)
    first, second = finding(city, "第一条"), finding(city, "第二条", source=Source.RESEARCH)
    finding_attach(finding=first, problem=problem, acting_user=city.admin_a)
    finding_attach(finding=second, problem=problem, acting_user=city.admin_a)
    assert set(problem.findings.all()) == {first, second}
    assert fresh(first).status == FindingStatus.PROMOTED == fresh(second).status
    assert f"Attached to problem {problem.pk}" in reasons(first)
    assert Problem.objects.count() == 1


def test_attach_refuses_another_county_s_problem(city):
    theirs = make_problem(city.campaign, city.b)
    found = finding(city)
    with pytest.raises(ValidationError) as refused:
        finding_attach(finding=found, problem=theirs, acting_user=city.sysadmin)
    assert "problem" in refused.value.error_dict
    assert fresh(found).status == FindingStatus.NEW and found.problem is None
    assert not theirs.findings.exists()


def test_attach_refuses_a_problem_of_another_campaign_or_a_deleted_one(city):
    other_campaign = make_campaign(city.a)
    elsewhere = make_problem(other_campaign, city.a)
    deleted = make_problem(city.campaign, city.a)
    problem_delete(problem=deleted, acting_user=city.admin_a)
    found = finding(city)
    for problem in (elsewhere, deleted):
        with pytest.raises(ValidationError):
            finding_attach(finding=found, problem=problem, acting_user=city.admin_a)
    assert fresh(found).status == FindingStatus.NEW


def test_attach_refuses_a_deleted_problem_loaded_before_its_deletion(city):
    problem = make_problem(city.campaign, city.a)
    stale = Problem.objects.get(pk=problem.pk)
    problem_delete(problem=problem, acting_user=city.admin_a)
    with pytest.raises(ValidationError):
        finding_attach(finding=finding(city), problem=stale, acting_user=city.admin_a)


def test_attach_needs_change_rights_on_the_unit(city):
    problem = make_problem(city.campaign, city.a)
    found = finding(city)
    with pytest.raises(PermissionDenied):
        finding_attach(finding=found, problem=problem, acting_user=city.admin_b)
    assert fresh(found).status == FindingStatus.NEW


# Merge and duplicate


def test_merged_and_duplicate_findings_are_kept_and_follow_their_root_to_the_problem(city):
    root = finding(city, "联系科技工作者渠道少")
    merged = finding(city, "很难联系到科协", source=Source.SELF_EXAMINATION)
    duplicate = finding(city, "联系科技工作者渠道少")
    finding_join(finding=merged, into=root, acting_user=city.admin_a)
    finding_join(finding=duplicate, into=root, acting_user=city.admin_a, duplicate=True)
    assert fresh(merged).status == FindingStatus.MERGED and merged.merged_into == root
    assert fresh(duplicate).status == FindingStatus.DUPLICATE and duplicate.merged_into == root
    assert merged.text == "很难联系到科协", "the original words are kept"
    assert set(root.joined.all()) == {merged, duplicate}
    assert merged.problem is None

    problem = finding_promote(finding=root, acting_user=city.admin_a)
    assert set(problem.findings.all()) == {root, merged, duplicate}
    assert fresh(merged).problem == problem and fresh(duplicate).problem == problem
    assert fresh(merged).status == FindingStatus.MERGED, "a joined finding keeps its own status"
    assert f"Promoted from finding {root.pk}" in reasons(merged)
    assert Finding.objects.count() == 3


def test_joined_findings_follow_a_root_attached_to_an_existing_problem(city):
    problem = make_problem(city.campaign, city.a)
    root, joined = finding(city), finding(city)
    finding_join(finding=joined, into=root, acting_user=city.admin_a)
    finding_attach(finding=root, problem=problem, acting_user=city.admin_a)
    assert fresh(joined).problem == problem


def test_joining_a_promoted_finding_links_its_problem_at_once(city):
    root = finding(city)
    problem = finding_promote(finding=root, acting_user=city.admin_a)
    late = finding(city, "后来的同类意见")
    finding_join(finding=late, into=root, acting_user=city.admin_a, duplicate=True)
    assert fresh(late).problem == problem
    assert set(problem.findings.all()) == {root, late}


def test_joining_moves_findings_already_joined_so_no_chain_forms(city):
    top, middle, bottom = finding(city), finding(city), finding(city)
    finding_join(finding=bottom, into=middle, acting_user=city.admin_a)
    finding_join(finding=middle, into=top, acting_user=city.admin_a)
    assert fresh(bottom).merged_into == top
    # Joining "into" a joined finding joins its root instead.
    other = finding(city)
    finding_join(finding=other, into=middle, acting_user=city.admin_a)
    assert fresh(other).merged_into == top


def test_a_finding_cannot_join_itself_even_through_a_chain(city):
    root, joined = finding(city), finding(city)
    with pytest.raises(ValidationError):
        finding_join(finding=root, into=root, acting_user=city.admin_a)
    finding_join(finding=joined, into=root, acting_user=city.admin_a)
    with pytest.raises(ValidationError):
        finding_join(finding=root, into=joined, acting_user=city.admin_a)
    assert fresh(root).status == FindingStatus.NEW


def test_joining_refuses_another_county_s_finding_or_a_dismissed_one(city):
    mine = finding(city)
    theirs = finding(city, unit=city.b)
    with pytest.raises(ValidationError) as refused:
        finding_join(finding=mine, into=theirs, acting_user=city.sysadmin)
    assert "into" in refused.value.error_dict
    dismissed = finding(city)
    finding_dismiss(finding=dismissed, reason="不属实", acting_user=city.admin_a)
    with pytest.raises(ValidationError):
        finding_join(finding=mine, into=dismissed, acting_user=city.admin_a)
    assert fresh(mine).status == FindingStatus.NEW and mine.merged_into is None


# Dismissal


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismissal_needs_a_reason(city, reason):
    found = finding(city)
    with pytest.raises(ValidationError) as refused:
        finding_dismiss(finding=found, reason=reason, acting_user=city.admin_a)
    assert "reason" in refused.value.error_dict
    assert fresh(found).status == FindingStatus.NEW


def test_a_dismissed_finding_stays_visible_with_its_reason(city):
    found = finding(city)
    finding_dismiss(finding=found, reason="  与问题3重复，已在整改  ", acting_user=city.admin_a)
    kept = Finding.objects.get(pk=found.pk)
    assert kept.status == FindingStatus.DISMISSED
    assert kept.dismissed_reason == "与问题3重复，已在整改"
    assert kept.text == "服务科技工作者渠道少"
    assert reasons(kept)[-1] == "与问题3重复，已在整改"
    assert kept.history.latest("history_id").history_user == city.admin_a


def test_dismissal_needs_change_rights_on_the_unit(city):
    found = finding(city)
    with pytest.raises(PermissionDenied):
        finding_dismiss(finding=found, reason="不属实", acting_user=city.admin_b)
    assert fresh(found).status == FindingStatus.NEW


# Triage happens once


def _triage(city, how: str, found: Finding) -> None:
    if how == "promote":
        finding_promote(finding=found, acting_user=city.admin_a)
    elif how == "attach":
        problem = make_problem(city.campaign, city.a)
        finding_attach(finding=found, problem=problem, acting_user=city.admin_a)
    elif how == "join":
        finding_join(finding=found, into=finding(city), acting_user=city.admin_a)
    else:
        finding_dismiss(finding=found, reason="不属实", acting_user=city.admin_a)


@pytest.mark.parametrize("first", ["promote", "attach", "join", "dismiss"])
@pytest.mark.parametrize("second", ["promote", "attach", "join", "dismiss"])
def test_a_triaged_finding_cannot_be_triaged_again(city, first, second):
    found = finding(city)
    _triage(city, first, found)
    before = Finding.objects.values_list("pk", "status", "problem", "merged_into").get(pk=found.pk)
    with pytest.raises(ValidationError, match="already been triaged"):
        _triage(city, second, found)
    after = Finding.objects.values_list("pk", "status", "problem", "merged_into").get(pk=found.pk)
    assert before == after


# Recording


def test_a_unit_admin_records_a_finding_by_hand(city):
    found = finding_create(
        campaign=city.campaign,
        unit=city.a,
        source=Source.SUPERIOR,
        text="  市委巡察反馈：基层组织覆盖不够  ",
        level=Level.UNIT,
        acting_user=city.admin_a,
    )
    assert found.status == FindingStatus.NEW
    assert found.text == "市委巡察反馈：基层组织覆盖不够"
    assert found.created_by == city.admin_a
    assert found.history.get().history_user == city.admin_a


def test_findings_by_hand_are_refused_to_others_and_for_sources_with_their_own_pages(city):
    data = {"campaign": city.campaign, "unit": city.a, "text": "口头反馈"}
    with pytest.raises(PermissionDenied):
        finding_create(source=Source.OTHER, acting_user=city.admin_b, **data)
    with pytest.raises(ValidationError) as refused:
        finding_create(source=Source.OPINIONS, acting_user=city.admin_a, **data)
    assert "source" in refused.value.error_dict
    with pytest.raises(ValidationError) as refused:
        finding_create(source=Source.OTHER, acting_user=city.admin_a, **data | {"text": "  "})
    assert "text" in refused.value.error_dict
    assert not Finding.objects.exists()


def test_recording_refuses_a_target_of_another_campaign(city):
    other = make_campaign(city.city)
    with pytest.raises(ValidationError) as refused:
        finding(city, target=other.targets.first())
    assert "target" in refused.value.error_dict


def test_recording_refuses_oversized_text(city):
    with pytest.raises(ValidationError) as refused:
        finding(city, "长" * 5001)
    assert "text" in refused.value.error_dict
    assert not Finding.objects.exists()
