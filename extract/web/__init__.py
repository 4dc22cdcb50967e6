"""The web pages of ``yakuji serve``: search, product, concept, study and substance pages,
documents, the RMP diff and page images with evidence boxes (``pages.py``), read from the store
with SPARQL (``graph.py``, ``index.py``) and written as plain HTML (``html.py``,
``statements.py``). The files beside these modules are the page's own assets, served under
``/static/`` (nothing is loaded from the internet)."""
