"""Rectify: from a campaign's targets to closed, verified rectifications."""
