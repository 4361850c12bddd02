"""The web pages: the SPARQL editor, the API docs and (later) the planners' UI."""
