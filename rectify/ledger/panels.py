"""Panels that later stages add to the problem page, without the ledger importing them.

The ledger imports no stage that feeds it (DESIGN.md), yet its problem page
must show where a problem came from. A stage registers a function
``panel(problem, user) -> (template name, context) | None`` here, from its
``AppConfig.ready()``; the page includes each template with ``panel`` bound
to its context. The function scopes what it shows to ``user``.
"""

from collections.abc import Callable

from .models import Problem

ProblemPanel = Callable[[Problem, object], tuple[str, dict] | None]
_problem_panels: list[ProblemPanel] = []


def register_problem_panel(func: ProblemPanel) -> ProblemPanel:
    """Show ``func``'s panel on every problem page; registering twice is a no-op."""
    if func not in _problem_panels:
        _problem_panels.append(func)
    return func


def problem_panels(problem: Problem, user) -> list[tuple[str, dict]]:
    """``(template name, context)`` of every registered panel that has something to show."""
    panels = (func(problem, user) for func in _problem_panels)
    return [panel for panel in panels if panel is not None]
