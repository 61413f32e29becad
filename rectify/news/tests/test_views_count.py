"""View counts: every browser once per thirty minutes, robots and previews never, and no
view lost or doubled when many arrive at once."""

import datetime as dt
import io
import threading
import urllib.request

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread
from django.urls import reverse
from django.utils import timezone

from rectify.core.testing import make_admin, make_unit, make_user
from rectify.org.models import Role

from .. import services
from ..models import Article, ArticleView
from ..views.public import BROWSER_COOKIE
from .conftest import publish

HOUR = dt.timedelta(hours=1)


def _count(article) -> int:
    return Article.objects.get(pk=article.pk).view_count


@pytest.mark.django_db
def test_one_browser_counts_once_in_thirty_minutes(client, world, published):
    url = published.get_absolute_url()
    for _ in range(5):
        client.get(url)
    assert _count(published) == 1
    assert client.cookies[BROWSER_COOKIE]["httponly"]
    # Another browser counts.
    client.cookies.clear()
    client.get(url)
    assert _count(published) == 2


@pytest.mark.django_db
def test_the_same_browser_counts_again_after_thirty_minutes(world, published):
    now = timezone.now()
    key = services.browser_key("browser-one-cookie-id")
    assert services.view_claim(article_id=published.pk, browser=key, now=now)
    assert not services.view_claim(
        article_id=published.pk, browser=key, now=now + dt.timedelta(minutes=29)
    )
    assert services.view_claim(
        article_id=published.pk, browser=key, now=now + dt.timedelta(minutes=31)
    )
    assert _count(published) == 2


@pytest.mark.django_db
def test_housekeeping_forgets_browsers_past_the_window_and_keeps_the_counts(world, published):
    old, recent = services.browser_key("an-old-browser-id-1"), services.browser_key("a-recent-id-2")
    services.view_claim(article_id=published.pk, browser=old, now=timezone.now() - HOUR)
    services.view_claim(article_id=published.pk, browser=recent, now=timezone.now())
    out = io.StringIO()
    call_command("housekeeping", stdout=out)
    assert "news view records: 1 removed" in out.getvalue()
    assert list(ArticleView.objects.values_list("browser", flat=True)) == [recent]
    assert _count(published) == 2  # the count stays; only who counted is forgotten
    # The recent browser is still inside its window: it does not count again.
    assert not services.view_claim(article_id=published.pk, browser=recent)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Baiduspider-image+(+http://www.baidu.com/search/spider.htm)",
        "Mozilla/5.0 (compatible; YandexCrawler)",
    ],
)
def test_robots_that_say_so_are_not_counted(client, world, published, agent):
    assert client.get(published.get_absolute_url(), HTTP_USER_AGENT=agent).status_code == 200
    assert _count(published) == 0


@pytest.mark.django_db
def test_staff_previews_are_not_counted(client, world, published):
    client.force_login(world["editor"])
    assert client.get(reverse("news:preview", args=[published.pk])).status_code == 200
    assert client.get(published.get_absolute_url()).status_code == 200
    assert _count(published) == 0
    # A logged-in reader who does not edit the article counts like anyone.
    client.force_login(world["other_editor"])
    client.get(published.get_absolute_url())
    assert _count(published) == 1


class _RoomyServer(ThreadedWSGIServer):
    """The test server with a listen queue long enough for every simultaneous browser.

    Django's test server queues ten connections; beyond that the kernel drops or
    resets the rest before any request is read. Here all are taken at once, and at
    most :data:`WORKING` are served together, as a production server's workers
    would, so the database sees no more connections than it allows.
    """

    request_queue_size = 512
    WORKING = 40

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = threading.BoundedSemaphore(self.WORKING)

    def process_request_thread(self, request, client_address):
        with self.slots:
            super().process_request_thread(request, client_address)


class _RoomyServerThread(LiveServerThread):
    server_class = _RoomyServer


@pytest.fixture
def roomy_server(transactional_db):
    """A live server (like pytest-django's ``live_server``) that takes 200 connections at once."""
    shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = _RoomyServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared)
    for connection in shared.values():
        connection.inc_thread_sharing()
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()


def _hammer(url: str, n: int, cookie: str | None = None) -> list[int]:
    """``n`` simultaneous GETs of ``url`` (released together), their status codes."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    lock = threading.Lock()

    def one():
        request = urllib.request.Request(url)
        if cookie:
            request.add_header("Cookie", f"{BROWSER_COOKIE}={cookie}")
        barrier.wait()
        with opener.open(request, timeout=120) as response:
            response.read()
            with lock:
                statuses.append(response.status)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _live_article():
    admin = make_admin()
    unit = make_unit("聊城市科学技术协会")
    make_user(unit, Role.UNIT_ADMIN)
    return publish(unit, acting_user=admin, at=timezone.now() - dt.timedelta(minutes=1))


def test_two_hundred_simultaneous_browsers_count_exactly_two_hundred(roomy_server):
    article = _live_article()
    statuses = _hammer(roomy_server + article.get_absolute_url(), 200)
    assert statuses == [200] * 200
    assert _count(article) == 200


def test_one_browser_at_once_many_times_counts_once(roomy_server):
    article = _live_article()
    statuses = _hammer(roomy_server + article.get_absolute_url(), 50, cookie="A" * 24)
    assert statuses == [200] * 50
    assert _count(article) == 1
