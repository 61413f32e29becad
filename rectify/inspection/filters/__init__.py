"""One filter definition per list of the inspection stage, one module per source."""
