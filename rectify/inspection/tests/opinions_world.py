"""The opinion tests' world: a city, two counties, a campaign, an open form in each county."""

from types import SimpleNamespace

from django.urls import reverse

from rectify.core.testing import make_admin, make_campaign, make_unit, make_user
from rectify.inspection.services.opinions import opinion_form_create, opinion_submit
from rectify.org.models import Role, UnitKind

#: Script in every shape the issue names; each must stay text wherever it is shown.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
]


def build_world() -> SimpleNamespace:
    """市科协 over two counties; each county has an administrator and an open form."""
    sysadmin = make_admin()
    city = make_unit("市科协", kind=UnitKind.CITY)
    county_a = make_unit("东昌府区科协", parent=city, kind=UnitKind.COUNTY)
    county_b = make_unit("临清市科协", parent=city, kind=UnitKind.COUNTY)
    campaign = make_campaign(city, acting_user=sysadmin)
    admin_a = make_user(county_a, Role.UNIT_ADMIN)
    admin_b = make_user(county_b, Role.UNIT_ADMIN)
    form_a = opinion_form_create(
        campaign=campaign,
        unit=county_a,
        title="东昌府区科协征求意见",
        introduction="请对我会工作提出意见建议。",
        acting_user=admin_a,
    )
    form_b = opinion_form_create(
        campaign=campaign, unit=county_b, title="临清市科协征求意见", acting_user=admin_b
    )
    return SimpleNamespace(
        sysadmin=sysadmin,
        city=city,
        a=county_a,
        b=county_b,
        campaign=campaign,
        targets=list(campaign.targets.all()),
        admin_a=admin_a,
        admin_b=admin_b,
        leader_a=make_user(county_a, Role.LEADER),
        form_a=form_a,
        form_b=form_b,
    )


def submit(form, text: str = "希望简化项目申报材料。", **fields):
    """An opinion sent to ``form`` (not over the web); returns ``(opinion, receipt code)``."""
    fields.setdefault("client", None)
    return opinion_submit(form=form, text=text, **fields)


def public_url(form) -> str:
    """The public link's path of ``form``."""
    return reverse("public:opinion-form", kwargs={"token": form.token})
