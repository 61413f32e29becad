"""The project's URLs plus one empty page, for the page benchmarks' framework floor.

``/bench/empty/`` is a logged-in page with the layout and no content: the same
middleware, session, login, inbox badge and ``base.html`` every page pays for,
and nothing else. What a page costs beyond it is its own work.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from rectify.urls import urlpatterns as project_urls


@login_required
def empty_page(request):
    return render(request, "base.html")


urlpatterns = [path("bench/empty/", empty_page, name="bench-empty"), *project_urls]
