"""border21: a knowledge graph of cross-border law-enforcement and criminal-justice cooperation."""

__version__ = "0.1.0"
