"""The inbox page, the header badge and marking read, as a user meets them."""

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import make_admin
from rectify.ledger.services import measure_urge
from rectify.notify.context_processors import inbox
from rectify.notify.models import Notification, NotificationKind
from rectify.notify.services import notify

from .inbox_world import build_world

pytestmark = pytest.mark.django_db
K = NotificationKind
INBOX = "/inbox/"


@pytest.fixture
def w():
    return build_world()


def _as(client, user):
    client.force_login(user)
    return client


def _urge(w, message="请本周内报送进展"):
    measure_urge(measure=w.measure, message=message, acting_user=w.leader)
    return Notification.objects.filter(recipient=w.zeren).latest("id")


def test_inbox_url_is_where_the_header_points():
    assert reverse("notify:inbox") == INBOX


def test_inbox_lists_own_notifications_newest_first_with_sender_and_link(w, client):
    first = _urge(w, "第一次催办")
    second = _urge(w, "第二次催办")
    notify([w.zeren2], kind=K.URGE, measure=w.measure, actor=w.leader, text="给别人的催办")
    page = _as(client, w.zeren).get(INBOX).content.decode()
    assert page.index("第二次催办") < page.index("第一次催办")
    assert "给别人的催办" not in page
    assert reverse("notify:open", args=[second.pk]) in page
    assert reverse("notify:open", args=[first.pk]) in page
    # From whom: the leader's person.
    assert w.leader.person.name in page


def test_unread_items_are_marked_and_can_be_filtered(w, client):
    read = _urge(w, "已读的催办")
    _urge(w, "未读的催办")
    read.read_at = timezone.now()
    read.save()
    client = _as(client, w.zeren)
    page = client.get(INBOX).content.decode()
    assert page.count("notice notice-urge unread") == 1
    unread = client.get(INBOX, {"show": "unread"}).content.decode()
    assert "未读的催办" in unread and "已读的催办" not in unread


def test_script_in_an_urge_message_is_shown_as_text(w, client):
    _urge(w, "<script>alert('urge')</script>")
    page = _as(client, w.zeren).get(INBOX).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;urge&#x27;)&lt;/script&gt;" in page


def test_header_shows_the_unread_count_and_99_plus_above_99(w, client):
    client = _as(client, w.zeren)
    assert 'id="inbox-unread"' not in client.get(INBOX).content.decode()
    _urge(w)
    _urge(w)
    page = client.get(reverse("ledger:my-responsibilities")).content.decode()
    assert '<span class="count-badge" id="inbox-unread"' in page
    assert ">2</span>" in page
    Notification.objects.bulk_create(
        [Notification(recipient=w.zeren, kind=K.URGE, text=str(i)) for i in range(98)]
    )
    page = client.get(reverse("ledger:measure-list")).content.decode()
    assert ">99+</span>" in page


def test_the_badge_costs_one_query_and_none_unless_read(w, django_assert_num_queries):
    _urge(w)
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=w.zeren.pk)
    with django_assert_num_queries(0):
        badge = inbox(request)["inbox"]
    with django_assert_num_queries(1):
        assert badge.badge == "1"
        assert badge.unread == 1


def test_opening_an_item_marks_it_read_and_goes_to_the_measure(w, client):
    n = _urge(w)
    response = _as(client, w.zeren).get(reverse("notify:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == w.measure.get_absolute_url()
    n.refresh_from_db()
    assert n.read_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_mark_read_and_mark_all_read(w, client):
    one = _urge(w, "一")
    _urge(w, "二")
    _urge(w, "三")
    client = _as(client, w.zeren)
    response = client.post(reverse("notify:read", args=[one.pk]), {"next": f"{INBOX}?show=unread"})
    assert response["Location"] == f"{INBOX}?show=unread"
    assert Notification.objects.filter(recipient=w.zeren, read_at__isnull=True).count() == 2
    assert ">2</span>" in client.get(INBOX).content.decode()
    # Marking read twice keeps the first time.
    one.refresh_from_db()
    first_read = one.read_at
    client.post(reverse("notify:read", args=[one.pk]))
    one.refresh_from_db()
    assert one.read_at == first_read
    response = client.post(reverse("notify:read-all"), {"next": "https://evil.example/"})
    assert response["Location"] == INBOX
    assert not Notification.objects.filter(recipient=w.zeren, read_at__isnull=True).exists()
    page = client.get(INBOX).content.decode()
    assert 'id="inbox-unread"' not in page and 'id="read-all"' not in page
    assert "unread" not in page.split('<ol class="inbox">')[1]


def test_mark_read_is_post_only(w, client):
    n = _urge(w)
    client = _as(client, w.zeren)
    assert client.get(reverse("notify:read", args=[n.pk])).status_code == 405
    assert client.get(reverse("notify:read-all")).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_another_users_notification_is_404_even_on_a_measure_one_can_see(w, client):
    theirs = notify([w.zeren2], kind=K.URGE, measure=w.measure, actor=w.leader, text="x")[0]
    client = _as(client, w.zeren)  # answers for the same measure
    assert client.get(reverse("notify:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notify:read", args=[999999])).status_code == 404
    client.post(reverse("notify:read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_needs_a_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_inbox_is_paginated(w, client):
    Notification.objects.bulk_create(
        [Notification(recipient=w.zeren, kind=K.URGE, text=f"催办{i:03d}") for i in range(45)]
    )
    client = _as(client, w.zeren)
    first = client.get(INBOX).content.decode()
    assert first.count('class="notice ') == 30
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert second.count('class="notice ') == 15


def test_inbox_queries_do_not_grow_with_items(w, client, django_assert_max_num_queries):
    client = _as(client, w.zeren)
    _urge(w)
    with django_assert_max_num_queries(12) as few:
        client.get(INBOX)
    for i in range(20):
        _urge(w, f"催办{i}")
    with django_assert_max_num_queries(12) as many:
        client.get(INBOX)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_admin_shows_notifications_read_only(w, client):
    n = _urge(w)
    client = _as(client, make_admin())
    assert client.get(reverse("admin:notify_notification_changelist")).status_code == 200
    change = client.get(reverse("admin:notify_notification_change", args=[n.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:notify_notification_add")).status_code == 403
    _as(client, w.leader)
    assert client.get(reverse("admin:notify_notification_changelist")).status_code == 302
