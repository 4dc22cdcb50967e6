"""The ``yakuji`` command line.

Exit codes: 0 success, 1 some document failed (or, for ``diff-rmp``, differences found),
2 usage error. Heavy modules are imported inside the commands, so ``yakuji --help`` is instant.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from extract import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Japanese drug-regulatory documents to one provenance-rich RDF knowledge graph.")

StoreOpt = typer.Option(None, "--store", envvar="YAKUJI_STORE",
                        help="store directory (default: .yakuji/store, or $YAKUJI_STORE)")


def _store_path(store: Optional[Path]) -> Path:
    from extract.store import DEFAULT_STORE

    return store or DEFAULT_STORE


def _echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print human-readable text: anything from a document, a file name, an exception or the
    store may be in it, so control and bidi characters are shown escaped (``extract.display``)."""
    from extract.display import clean

    typer.echo(clean(text), err=err, nl=nl)


def _echo_json(text: str) -> None:
    """Print rendered JSON with DEL, C1 and bidi characters as ``\\uXXXX`` (same data)."""
    from extract.display import escape_json

    typer.echo(escape_json(text), nl=False)


def _fail(message: str, code: int = 2) -> None:
    _echo(f"yakuji: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"yakuji {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="print the version and exit")) -> None:
    """Ingest documents, then query, export or inspect the graph."""


@app.command()
def ingest(paths: list[Path] = typer.Argument(..., help="files and folders to ingest"),
           store: Optional[Path] = StoreOpt,
           doc_type: Optional[str] = typer.Option(None, "--type", help="force the document type "
                                                  "(review-report, rmp, guideline, trial, pi, "
                                                  "interview-form, patient-guide, rmm)"),
           password: Optional[str] = typer.Option(None, "--password", envvar="YAKUJI_PDF_PASSWORD",
                                                  help="password of encrypted PDFs"),
           ocr: str = typer.Option("auto", "--ocr", help="auto | always | never"),
           jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="worker processes"),
           scheduler: Optional[str] = typer.Option(None, "--scheduler", help="read on a Dask cluster: "
                                                   "local:N (N local workers) or tcp://HOST:PORT"),
           timeout: float = typer.Option(300.0, "--timeout", min=0,
                                         help="seconds per document (0: no limit)"),
           report: Optional[Path] = typer.Option(None, "--report", help="write every file's outcome "
                                                 "here as JSON (also when files fail)"),
           log: Optional[Path] = typer.Option(None, "--log", help="write the PDF libraries' warnings "
                                              "here, per file"),
           verbose: bool = typer.Option(False, "--verbose", "-v", help="print the PDF libraries' warnings"),
           quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar")) -> None:
    """Read documents into the store: one named graph per document version.

    Exit 0 when every file was read (ok, partial or unchanged), 1 when any failed, 2 on a usage
    error; the summary table is printed in every case."""
    import time

    from rich.console import Console
    from rich.progress import Progress

    from extract.errors import StoreLockedError
    from extract.logs import quiet_libraries
    from extract.model import DocType
    from extract.pipeline import Outcome, collect_files, ingest_paths
    from extract.store import Store

    if ocr not in ("auto", "always", "never"):
        _fail(f"--ocr must be auto, always or never, not {ocr!r}")
    forced = None
    if doc_type:
        try:
            forced = DocType.parse(doc_type)
        except ValueError as exc:
            _fail(str(exc))
    if scheduler is not None:
        import importlib.util

        from extract.cluster import parse_scheduler

        try:
            parse_scheduler(scheduler)
        except ValueError as exc:
            _fail(str(exc))
        if importlib.util.find_spec("distributed") is None:
            _fail("--scheduler needs Dask: pip install 'yakuji-kg[dask]'")
    if report is not None and not report.parent.is_dir():
        _fail(f"--report {report}: no folder {report.parent}")
    console = Console(stderr=True)
    files, _ = collect_files(paths)
    done_so_far: list[Outcome] = []
    started = time.time()
    log_file = _open_log(log)
    outcomes: list[Outcome] = []
    interrupted = False
    try:
        with quiet_libraries(), Store(_store_path(store)) as st, \
                Progress(console=console, transient=True, disable=quiet or not console.is_terminal) as bar:
            if st.stale_lock:
                _echo(f"yakuji: warning: {st.path}: {st.stale_lock}", err=True)
            task = bar.add_task("ingesting", total=max(len(files), 1))

            def done(o: Outcome) -> None:
                done_so_far.append(o)
                bar.update(task, advance=1, description=progress_label(o.path))
                if log_file is not None:
                    _write_log(log_file, o)

            outcomes = ingest_paths(paths, st, doc_type=forced, password=password, ocr=ocr,
                                    jobs=jobs, on_done=done, timeout=timeout or None, scheduler=scheduler)
    except StoreLockedError as exc:
        _echo(f"yakuji: {exc}", err=True)
        outcomes = [Outcome(str(f), "failed", reason=str(exc), codes=("store-locked",)) for f in files]
    except KeyboardInterrupt:
        interrupted = True
        seen = {o.path for o in done_so_far}
        outcomes = done_so_far + [Outcome(str(f), "failed", reason="interrupted (Ctrl-C)",
                                          codes=("interrupted",)) for f in files if str(f) not in seen]
    finally:
        if log_file is not None:
            log_file.close()
    code = 130 if interrupted else 1 if not outcomes or any(o.status == "failed" for o in outcomes) else 0
    print_summary(outcomes, verbose=verbose, log=log)
    if report is not None:
        write_report(report, outcomes, store=_store_path(store), started=started, exit_code=code)
    raise typer.Exit(code)


def progress_label(path: str) -> str:
    """The progress bar's description after a file: its name, escaped (rich parses it as markup)."""
    from rich.markup import escape

    from extract.display import one_line

    return escape(one_line(Path(path).name, 40))


def print_summary(outcomes: list[Any], *, verbose: bool = False, log: Optional[Path] = None) -> None:
    """The table (stdout), one line per failed file and per file with library warnings
    (stderr), then the counts (stdout). Every value is plain text: a file name or a reason
    is never read as markup, and a long reason is cut (the JSON report keeps it whole)."""
    from rich.console import Console
    from rich.table import Table

    from extract.display import cell, one_line

    table = Table(title=None, show_lines=False)
    for col in ("file", "type", "pages", "facts", "triples", "status", "reason"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        table.add_row(cell(Path(o.path).name), cell(o.doc_type or "-"), str(o.pages or "-"), str(o.facts),
                      str(o.triples), o.status, cell(o.reason))
    Console(width=max(100, Console().width)).print(table)
    where = f", all in {log}" if log is not None else ""
    for o in outcomes:
        said = [one_line(o.reason, 500)] if o.status == "failed" else []
        if o.warnings and not verbose:
            said.append(f"{o.warnings} PDF warning{'s' * (o.warnings != 1)} (--verbose to see them{where})")
        if said:
            typer.echo(f"yakuji: {one_line(o.path)}: {'; '.join(said)}", err=True)
        if verbose:
            for line in (line for message in o.messages for line in message.splitlines()):
                typer.echo(f"yakuji: {one_line(Path(o.path).name)}: {one_line(line, 2000)}", err=True)
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "partial", "unchanged", "failed")}
    typer.echo(", ".join(f"{n} {s}" for s, n in counts.items()))


def _open_log(path: Optional[Path]) -> Any:
    if path is None:
        return None
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write --log {path}: {exc.strerror}")


def _write_log(fh: Any, o: Any) -> None:
    """One file's block in ``--log``: path, status and reason, then every kept message."""
    fh.write(f"== {o.path}: {o.status}{': ' + o.reason if o.reason else ''}\n")
    if o.warnings > len(o.messages):
        fh.write(f"({o.warnings} messages, the first {len(o.messages)} kept)\n")
    for message in o.messages:
        fh.write(message.rstrip("\n") + "\n")
    fh.flush()


def write_report(path: Path, outcomes: list[Any], *, store: Path, started: float, exit_code: int) -> None:
    """``ingest --report``: every file's outcome as JSON, for scripts (written atomically)."""
    import time

    files = [{"path": o.path, "sha256": o.sha256, "type": o.doc_type, "pages": o.pages,
              "page_statuses": [{"page": n, "status": st, "reason": why} for n, st, why in o.page_statuses],
              "facts": o.facts, "triples": o.triples, "status": o.status, "reason": o.reason,
              "codes": list(o.codes), "seconds": o.seconds, "warnings": o.warnings, "graph": o.doc_iri}
             for o in outcomes]
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("ok", "partial", "unchanged", "failed")}
    data = {"yakuji": __version__, "store": str(store), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z",
                                                                                  time.localtime(started)),
            "seconds": round(time.time() - started, 3), "exit_code": exit_code, "counts": counts, "files": files}
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        _echo(f"yakuji: cannot write --report {path}: {exc.strerror}", err=True)
        raise typer.Exit(1) from None


def _read_query(text: str) -> str:
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            _fail(f"no query file {path}")
        return path.read_text(encoding="utf-8")
    return text


def _term_text(term: Any) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def print_rows(variables: list[str], rows: list[dict[str, Any]], fmt: str) -> None:
    """Print SELECT rows as a table, CSV or JSON (SPARQL 1.1 JSON results)."""
    if fmt == "json":
        bindings = []
        for r in rows:
            b = {}
            for k, v in r.items():
                entry: dict[str, str] = {"type": "uri" if type(v).__name__ == "NamedNode" else "literal",
                                         "value": _term_text(v)}
                if getattr(v, "language", None):
                    entry["xml:lang"] = v.language
                elif type(v).__name__ == "Literal" and v.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                    entry["datatype"] = v.datatype.value
                b[k] = entry
            bindings.append(b)
        _echo_json(json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                              ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        import csv

        from extract.display import clean

        shown = clean if sys.stdout.isatty() else str  # exact values into a file or a pipe
        w = csv.writer(sys.stdout)
        w.writerow(variables)
        for r in rows:
            w.writerow([shown(_term_text(r.get(v))) for v in variables])
    else:
        from rich.console import Console
        from rich.table import Table

        from extract.display import cell

        table = Table()
        for v in variables:
            table.add_column(v, overflow="fold")
        for r in rows:  # values cut at 1,000 characters: --format csv or json gives them whole
            table.add_row(*[cell(_term_text(r.get(v)), 1000) for v in variables])
        Console(width=max(120, Console().width)).print(table)
        typer.echo(f"{len(rows)} row(s)")


@app.command()
def query(sparql: Optional[str] = typer.Argument(None, help="a SPARQL query, or @file.rq"),
          name: Optional[str] = typer.Option(None, "--name", "-n", help="run a named query (see `yakuji queries`)"),
          params: list[str] = typer.Option([], "--param", "-p", help="key=value for a named query; repeatable"),
          store: Optional[Path] = StoreOpt,
          fmt: str = typer.Option("table", "--format", "-f", help="table | csv | json"),
          endpoint: Optional[str] = typer.Option(None, "--endpoint", help="a remote SPARQL endpoint "
                                                 "(e.g. Virtuoso's http://host:8890/sparql) instead of --store")) -> None:
    """Run SPARQL, or a named query with parameters, over the union of all graphs."""
    from extract.queries import load_queries, run_named
    from extract.remote import Endpoint, EndpointError, is_endpoint
    from extract.store import Store

    if fmt not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json, not {fmt!r}")
    if (sparql is None) == (name is None):
        _fail("give either a SPARQL query (or @file.rq) or --name NAME")
    values = _param_values(params)
    if endpoint is not None and not is_endpoint(endpoint):
        _fail(f"--endpoint must be an http(s) URL, not {endpoint!r}")
    try:
        with Endpoint(endpoint) if endpoint else Store(_store_path(store), read_only=True) as st:
            if name is not None:
                queries = load_queries()
                if name not in queries:
                    _fail(f"no named query {name!r}; see `yakuji queries`")
                try:
                    variables, rows = run_named(st, queries[name], values)
                except ValueError as exc:
                    _fail(str(exc))
                print_rows(variables, rows, fmt)
                return
            result = st.query(_read_query(sparql or ""))
            if type(result).__name__ == "QueryBoolean":
                typer.echo("true" if bool(result) else "false")
                return
            if not hasattr(result, "variables"):
                for triple in result:
                    _echo_json(f"{triple.subject} {triple.predicate} {triple.object} .\n")
                return
            variables = [v.value for v in result.variables]
            rows = [{n: sol[n] for n in variables if sol[n] is not None} for sol in result]
    except (FileNotFoundError, EndpointError) as exc:
        _fail(str(exc), 1)
    except SyntaxError as exc:
        _fail(f"SPARQL syntax error: {exc}")
    print_rows(variables, rows, fmt)


def _param_values(params: list[str]) -> dict[str, str]:
    """``--param key=value`` options as a dict (usage error on a malformed one)."""
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--param takes key=value, not {item!r}")
        values[key.strip()] = value
    return values


def _print_catalogue(items: Any) -> None:
    """Named queries or views: name, titles, parameters."""
    for q in items:
        _echo(f"{q.name}\n  {q.title_en}\n  {q.title_ja}")
        for p in q.params:
            _echo(f"  --param {p.name}=…  ({p.type}{', required' if p.required else ''}) {p.description}")


@app.command("queries")
def list_queries() -> None:
    """List the named queries with their parameters."""
    from extract.queries import load_queries

    _print_catalogue(load_queries().values())


@app.command("views")
def list_views() -> None:
    """List the graph views (for export-view) with their parameters."""
    from extract.views import load_views

    _print_catalogue(load_views().values())


@app.command("export-view")
def export_view_cmd(name: str = typer.Argument(..., help="a view (see `yakuji views`)"),
                    params: list[str] = typer.Option([], "--param", "-p", help="key=value; repeatable"),
                    fmt: str = typer.Option(..., "--format", "-f",
                                            help="graphml | gexf | cyjs | csv | dot | png | svg | html"),
                    output: Path = typer.Option(..., "-o", "--output",
                                                help="file (for csv: a folder, or a path whose stem is used)"),
                    lang: str = typer.Option("en", "--lang", help="label language: ja | en"),
                    store: Optional[Path] = StoreOpt,
                    max_nodes: int = typer.Option(150, "--max-nodes", min=1,
                                                  help="png, svg and html show at most this many nodes")) -> None:
    """Export a graph view for Gephi, Cytoscape, yEd, a spreadsheet, or as a picture."""
    from extract.store import Store
    from extract.views import FORMATS, build_view, export_view

    if fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if lang not in ("ja", "en"):
        _fail(f"--lang must be ja or en, not {lang!r}")
    values = _param_values(params)
    try:
        with Store(_store_path(store), read_only=True) as st:
            try:
                graph = build_view(st, name, values, lang=lang)
            except ValueError as exc:
                _fail(str(exc))
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    if graph.number_of_nodes() == 0:
        _echo(f"yakuji: view {name!r} is empty for these parameters", err=True)
    for path in export_view(graph, fmt, output, max_nodes=max_nodes):
        _echo(f"wrote {path} ({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges)", err=True)


@app.command()
def export(store: Optional[Path] = StoreOpt,
           fmt: str = typer.Option("trig", "--format", "-f", help="trig | nquads | turtle | jsonld"),
           output: Optional[Path] = typer.Option(None, "-o", "--output", help="file (default: stdout)"),
           graph: Optional[str] = typer.Option(None, "--graph", help="only this named graph (document IRI)")) -> None:
    """Write the whole graph (or one document's graph) as RDF."""
    from extract.store import EXPORT_FORMATS, Store

    if fmt not in EXPORT_FORMATS:
        _fail(f"--format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt!r}")
    try:
        with Store(_store_path(store), read_only=True) as st:
            if output is None:
                import io

                buf = io.BytesIO()
                st.export(fmt, buf, graph=graph)
                sys.stdout.buffer.write(buf.getvalue())
            else:
                tmp = output.with_name(output.name + ".part")
                with tmp.open("wb") as fh:
                    st.export(fmt, fh, graph=graph)
                os.replace(tmp, output)
                _echo(f"wrote {output}", err=True)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)


@app.command()
def stats(store: Optional[Path] = StoreOpt) -> None:
    """Documents, graphs and triples, and instances per type."""
    from extract.store import Store

    try:
        with Store(_store_path(store), read_only=True) as st:
            s = st.stats()
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    _echo(f"documents: {s.documents}\ngraphs: {s.graphs}\ntriples: {s.triples}")
    _echo("documents by kind:")
    for name, n in s.documents_by_kind:
        _echo(f"  {name:<32} {n}")
    _echo("instances by type:")
    for name, n in s.by_type:
        _echo(f"  {name:<32} {n}")


@app.command("diff-rmp")
def diff_rmp_cmd(old: str = typer.Argument(..., help="the earlier RMP: a file, or with --store a document IRI or date"),
                 new: str = typer.Argument(..., help="the later RMP: a file, or with --store a document IRI or date"),
                 fmt: str = typer.Option("text", "--format", help="text | json | markdown"),
                 ignore_wording: bool = typer.Option(False, "--ignore-wording",
                                                     help="hide wording-only changes of long texts"),
                 store: Optional[Path] = typer.Option(None, "--store",
                                                      help="compare two RMPs already in this store"),
                 product: Optional[str] = typer.Option(None, "--product",
                                                       help="with --store and dates: the product's name")) -> None:
    """What changed between two versions of one product's RMP (exit 0 identical, 1 different, 2 error)."""
    from extract.diff import diff_files, diff_stored
    from extract.errors import InputError

    try:
        if store is not None:
            output, code = diff_stored(str(store), old, new, product=product, fmt=fmt,
                                       ignore_wording=ignore_wording)
        else:
            output, code = diff_files(old, new, fmt=fmt, ignore_wording=ignore_wording)
    except InputError as exc:  # not an RMP, two different products, unknown format
        _fail(str(exc), 2)
    if fmt == "json":
        _echo_json(output)
    else:
        _echo(output, nl=False)
    raise typer.Exit(code)


@app.command()
def validate(store: Optional[Path] = StoreOpt) -> None:
    """Check every document graph against the SHACL shapes (exit 1 when any violation)."""
    from extract.rdf.validate import validate_store
    from extract.store import Store

    try:
        with Store(_store_path(store), read_only=True) as st:
            found = validate_store(st)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    by_doc: dict[str, list[Any]] = {}
    for v in found:
        by_doc.setdefault(v.document or "(unknown document)", []).append(v)
    for doc, items in sorted(by_doc.items()):
        _echo(doc)
        for v in items:
            _echo(f"  {v}")
    _echo(f"{len(found)} violation(s)")
    raise typer.Exit(1 if found else 0)


@app.command()
def consistency(store: Optional[Path] = StoreOpt,
                product: Optional[str] = typer.Option(None, "--product", help="a product name or IRI"),
                fmt: str = typer.Option("text", "--format", "-f", help="text | json | markdown")) -> None:
    """Where documents about the same product disagree, side by side (newer document marked)."""
    from extract.consistency import RENDERERS, consistency_report
    from extract.store import Store

    if fmt not in RENDERERS:
        _fail(f"--format must be one of {', '.join(RENDERERS)}, not {fmt!r}")
    try:
        with Store(_store_path(store), read_only=True) as st:
            report = consistency_report(st, product)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    if product and not report.products:
        _fail(f"no product called {product!r} in the store", 1)
    if fmt == "json":
        _echo_json(RENDERERS[fmt](report))
    else:
        _echo(RENDERERS[fmt](report), nl=False)


@app.command("eval")
def eval_cmd(store: Optional[Path] = StoreOpt,
             gold: Optional[Path] = typer.Option(None, "--gold", help="gold folder (default: a checkout's "
                                                 "corpus/gold, else the gold shipped with the package)"),
             seeds: Optional[Path] = typer.Option(None, "--seeds", help="ingest these documents into a "
                                                  "fresh temporary store instead of reading --store"),
             fmt: str = typer.Option("text", "--format", "-f", help="text | json")) -> None:
    """Precision, recall and F1 of the graph against hand-written gold (exit 1 below a floor)."""
    from extract.evaluate import run_eval
    from extract.resources import gold_dir

    if fmt not in ("text", "json"):
        _fail(f"--format must be text or json, not {fmt!r}")
    if gold is not None and not gold.is_dir():
        _fail(f"--gold {gold}: no such folder")
    try:
        output, below = run_eval(_store_path(store), gold_dir=gold or gold_dir(), seeds=seeds, fmt=fmt)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    if fmt == "json":
        _echo_json(output)
    else:
        _echo(output, nl=False)
    raise typer.Exit(1 if below else 0)


@app.command()
def explain(iri: str = typer.Argument(..., help="an entity IRI (ykid:product/abecma or the full IRI)"),
            store: Optional[Path] = StoreOpt) -> None:
    """Every mention merged into an entity: document, label as written, link method, score, why."""
    from extract.explain import explain_entity, render_explanation
    from extract.store import Store

    try:
        with Store(_store_path(store), read_only=True) as st:
            found = explain_entity(st, iri)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    except ValueError as exc:
        _fail(str(exc), 2)
    if not found.mentions:
        _fail(f"no entity {iri} in the store", 1)
    _echo(render_explanation(found), nl=False)


@app.command()
def candidates(store: Optional[Path] = StoreOpt,
               fmt: str = typer.Option("text", "--format", "-f", help="text | json")) -> None:
    """Studies known only by their title that may be a coded study of another document (same
    phase and substance): never merged automatically; prints the override line that would."""
    import json
    from dataclasses import asdict

    from extract.explain import render_candidates, study_candidates
    from extract.store import Store

    if fmt not in ("text", "json"):
        _fail(f"--format must be text or json, not {fmt!r}")
    try:
        with Store(_store_path(store), read_only=True) as st:
            found = study_candidates(st)
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    if fmt == "json":
        _echo_json(json.dumps([asdict(c) | {"override_line": c.override_line} for c in found],
                              ensure_ascii=False, indent=2) + "\n")
    else:
        _echo(render_candidates(found), nl=False)


lexicon_app = typer.Typer(no_args_is_help=True, help="The bilingual lexicon.")
app.add_typer(lexicon_app, name="lexicon")


@lexicon_app.command("gaps")
def lexicon_gaps(paths: Optional[list[Path]] = typer.Argument(
                     None, help="documents to link (default: the concepts in the store)"),
                 store: Optional[Path] = StoreOpt) -> None:
    """Mentions no lexicon entry matched, for a curator to add to ontology/lexicon/."""
    if paths:
        from extract.classify import classify
        from extract.errors import InputError
        from extract.extractors import get_extractor
        from extract.load import load_document
        from extract.normalize.linker import gaps, link

        links: dict[Any, Any] = {}
        for path in paths:
            try:
                doc = load_document(path)
                result = get_extractor(classify(doc).doc_type)(doc)
            except InputError as exc:
                _echo(f"yakuji: {exc}", err=True)
                continue
            links.update(link(result, doc))
        rows = [(g.kind, g.key, " | ".join(f"{t}@{lang}" for lang, t in g.labels)) for g in gaps(links)]
    else:
        from extract.store import Store

        sparql = ("SELECT ?c ?l WHERE { ?c a yk:MedicalConcept ; yk:unlinked true ; "
                  "skos:prefLabel ?l } ORDER BY ?l")
        try:
            with Store(_store_path(store), read_only=True) as st:
                found = st.select(sparql)
        except FileNotFoundError as exc:
            _fail(str(exc), 1)
        rows = sorted({("concept", r["c"].value.rsplit("/", 1)[-1],
                        f"{r['l'].value}@{r['l'].language}") for r in found})
    for kind, key, labels in rows:
        _echo(f"{kind}\t{key}\t{labels}")
    typer.echo(f"{len(rows)} gap(s)", err=True)


@app.command()
def serve(store: Optional[Path] = StoreOpt,
          host: str = typer.Option("127.0.0.1", "--host", help="address to bind"),
          port: int = typer.Option(7878, "--port"),
          allow_remote: bool = typer.Option(False, "--allow-remote", help="permit a non-loopback --host"),
          timeout: float = typer.Option(20.0, "--timeout", help="seconds a query may run"),
          max_rows: int = typer.Option(10_000, "--max-rows", help="result rows (or triples) per response"),
          workers: int = typer.Option(4, "--workers", help="query worker processes"),
          allow_service: list[str] = typer.Option([], "--allow-service", help="a host SERVICE may call; repeatable"),
          pdf_dir: list[Path] = typer.Option([], "--pdf-dir",
                                             help="a folder holding source PDFs moved since their ingest "
                                                  "(for page images); repeatable"),
          upstream: Optional[str] = typer.Option(None, "--upstream", help="serve a remote SPARQL endpoint "
                                                 "(e.g. Virtuoso) instead of --store")) -> None:
    """A read-only SPARQL endpoint with the named queries and a web page."""
    from extract.remote import is_endpoint
    from extract.serve import ServeConfig, Server, is_loopback

    if not is_loopback(host) and not allow_remote:
        _fail(f"--host {host} is not a loopback address: add --allow-remote to expose the store")
    if not is_loopback(host):
        _echo(f"warning: serving on {host}: anyone who can reach it can read the whole store", err=True)
    path: Any = _store_path(store)
    if upstream is not None:
        if not is_endpoint(upstream):
            _fail(f"--upstream must be an http(s) URL, not {upstream!r}")
        path = upstream  # the query workers read it as a remote store (serve.ReadOnlyView)
    elif not (path / "db").is_dir():
        _fail(f"no store at {path}: run `yakuji ingest` first", 1)
    config = ServeConfig(path, timeout, max_rows, workers, frozenset(h.lower() for h in allow_service),
                         tuple(pdf_dir))
    server = Server(config, host, port)
    _echo(f"yakuji: SPARQL endpoint {server.url}/sparql, web pages {server.url}/products (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@app.command()
def push(endpoint: str = typer.Option(..., "--endpoint", help="Graph Store Protocol URL, e.g. http://host:7878/store"),
         since: bool = typer.Option(False, "--since", help="only graphs changed since the last successful push"),
         store: Optional[Path] = StoreOpt) -> None:
    """Upload each named graph to an external store (SPARQL 1.1 Graph Store HTTP Protocol, PUT)."""
    from extract.push import auth_from_env, push_store

    try:
        report = push_store(_store_path(store), endpoint, since=since, auth=auth_from_env())
    except FileNotFoundError as exc:
        _fail(str(exc), 1)
    for line in report.lines():
        _echo(line)
    if report.failed:
        raise typer.Exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
