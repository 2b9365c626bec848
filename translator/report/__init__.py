"""The migration report: a model built from a translation ``Result``, rendered for people and machines.

``build.build_report`` makes the model (``model.Report``); ``render`` writes it as Markdown or JSON
through the templates ``templates/report.md.j2`` and ``templates/report.json.j2``; ``terminal``
prints the short summary the CLI shows on stderr. Nothing here makes a translation decision: the
report only shows what the mapper decided and the findings it made.
"""
