"""report: everything a person reads, made from the conformance document.

Holds ``junit.xml`` (``junit``), ``summary.md`` (``summary``), the files Allure reads
beside the results (``allure_files``), the Allure HTML build and the requirement pages
(``html_report``), the verdict banner on the report's first screen (``banner``), the
check that the rendered report says what the document says (``render_check``, with the
headless browser it keeps for many pages: ``browser``), the one
call that writes them all (``writers``) and the pytest hook that calls it during a run
(``plugin``).

May import: ``port``, ``spec`` and the gate's document-level modules (``verdict``,
``document``, ``allure_live`` labels). Never the result collector (``gate.results``),
``proof`` or ``cli``: a report reads the document, so ``merge`` and ``report`` rebuild
the same files from a document on disk.
"""
