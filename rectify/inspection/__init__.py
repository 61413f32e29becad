"""Inspection (检视问题): checklists, opinions, research and guidance feedback → findings."""
