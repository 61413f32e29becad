"""Every write of the inspection stage, one module per source plus the findings they feed."""
