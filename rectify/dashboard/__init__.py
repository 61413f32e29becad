"""Dashboard: pages that read across the stages (the pipeline funnel); nothing imports it."""
