"""Forms of the inspection pages, one module per source; they parse, the services decide."""
