"""The benchmark harness: this service side by side with Virtuoso 7 and rdflib-endpoint on the
same synthetic data (`python -m benchmarks.run`, or `make bench`)."""
