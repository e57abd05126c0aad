"""Operating the system: structured logs with request ids, Prometheus metrics and probes."""
