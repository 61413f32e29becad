"""The demo: the reference case (a city science association's 主题教育 campaign) as live data."""
