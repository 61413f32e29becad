"""Views of satisfaction evaluation: :mod:`.staff` pages and :mod:`.public` respondent pages."""
