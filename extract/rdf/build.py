"""Turn one document's extraction into its named graph.

The builder knows the contract vocabulary only through the field metadata of the fact
dataclasses (``extract.model``) plus the few entity shapes below, so a new fact type needs no
code here. The builder hands every triple to a sink, and there are two:

- ``build_graph``: an ``rdflib.Graph`` whose identifier is the document IRI (tests, validation);
- ``build_ntriples``: the N-Triples bytes the store loads, written directly. One ``Graph.add``
  and one ``Literal`` per triple cost more than extracting the facts did; the writer produces
  the same lines rdflib's ``nt`` serializer would (same escaping, same lexical forms, the same
  duplicates removed), so both paths give the same graph.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Callable, Iterable, Protocol

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD
from rdflib.plugins.serializers.nt import _quote_encode, _quoteLiteral
from rdflib.term import _is_valid_langtag

from extract.model import (
    Activity,
    Classification,
    Document,
    ExtractionResult,
    Fact,
    Indication,
    Link,
    Mention,
    ProductFact,
    SafetyConcern,
    SourceRef,
    StudyFact,
    YearMonth,
)
from extract.rdf.iri import document_iri, entity_iri, fact_iri, fact_key
from extract.rdf.namespaces import DCT
from extract.rdf.namespaces import YK as _YK_NAMESPACE


class _TermCache:
    """A namespace whose terms are built once: ``YK.page`` per triple made a new URIRef (and
    checked it) every time, a measurable share of a build."""

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace
        self._terms: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = self[name]
        setattr(self, name, term)  # later lookups are plain attribute reads
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = self._namespace[name]
        return term


YK = _TermCache(_YK_NAMESPACE)

_ENTITY_CLASS = {
    "product": YK.MedicinalProduct,
    "substance": YK.Substance,
    "organization": YK.Organization,
    "concept": YK.MedicalConcept,
    "study": YK.ClinicalStudy,
}
_CATEGORY = {
    "identified": YK.ImportantIdentifiedRisk,
    "potential": YK.ImportantPotentialRisk,
    "missing": YK.MissingInformation,
}
_SCOPE = {"routine": YK.RoutineActivity, "additional": YK.AdditionalActivity}

_INTEGER, _DECIMAL, _DATE, _BOOLEAN = XSD.integer, XSD.decimal, XSD.date, XSD.boolean
_YEAR_MONTH = XSD.gYearMonth

Term = object  # an object as a sink makes it: a URIRef, an rdflib Literal, or an N-Triples term


class Sink(Protocol):
    """Where the builder's triples go. ``literal`` takes exactly the arguments of
    ``rdflib.Literal`` (a Python value, a language or a datatype) and returns the sink's own
    form of it, which the builder only passes back to ``add``."""

    def literal(self, value: object, lang: str | None = None,
                datatype: URIRef | None = None) -> Term: ...

    def add(self, s: URIRef, p: URIRef, o: Term) -> None: ...


class GraphSink:
    """Triples into an rdflib Graph named by the document IRI."""

    def __init__(self, identifier: URIRef) -> None:
        self.graph = Graph(identifier=identifier)
        self.literal = Literal
        self._add = self.graph.add

    def add(self, s: URIRef, p: URIRef, o: Term) -> None:
        self._add((s, p, o))  # type: ignore[arg-type]


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _decimal(value: Decimal) -> str:
    return f"{value:f}"  # no exponent: Decimal("1E+2") is "100", as rdflib writes it


# Python type -> (lexical form, datatype): the values for which ``Literal(value)`` and
# ``Literal(value, datatype=<that datatype>)`` are a pure function of the value (rdflib's
# ``_GenericPythonToXSDRules``). Exact types only: a subclass (datetime, IntEnum) falls back.
_TYPED: dict[type, tuple[Callable[[Any], str], URIRef]] = {
    bool: (_boolean, _BOOLEAN),
    int: (str, _INTEGER),
    Decimal: (_decimal, _DECIMAL),
    dt.date: (dt.date.isoformat, _DATE),
}


def nt_literal(value: object, lang: str | None = None, datatype: URIRef | None = None) -> str:
    """``Literal(value, lang, datatype)`` as rdflib's nt serializer writes it, without making the
    Literal where the result is known: a string (``_quote_encode``, rdflib's own escaping, then
    the language tag as given), and the typed values of ``_TYPED``. Anything else is made into a
    Literal and written by rdflib (``_quoteLiteral``)."""
    kind = type(value)
    if kind is str and datatype is None:
        quoted = _quote_encode(value)  # type: ignore[arg-type]
        if lang is None or lang == "":
            return quoted
        if not _is_valid_langtag(lang):
            raise ValueError(f"'{lang}' is not a valid language tag!")
        return f"{quoted}@{lang}"
    typed = _TYPED.get(kind)
    if typed is not None and (lang is None or lang == ""):
        form, written = typed
        if datatype is None or datatype is written or datatype == written:
            return f'"{form(value)}"^^<{written}>'
    return _quoteLiteral(Literal(value, lang=lang, datatype=datatype))


class NTriplesSink:
    """Triples straight into N-Triples lines, each line once.

    A graph holds a triple once; two literals are the same if their lexical forms and datatypes
    match and their language tags match ignoring case (rdflib keeps the first one added, as
    written). So lines are keyed by themselves, except that a literal whose tag has capitals is
    keyed by its lower-cased form.
    """

    def __init__(self) -> None:
        self._lines: dict[str, str] = {}
        self._iris: dict[URIRef, str] = {}
        self._folded: dict[str, str] = {}  # a literal with capitals in its tag -> its key form

    def literal(self, value: object, lang: str | None = None,
                datatype: URIRef | None = None) -> str:
        term = nt_literal(value, lang, datatype)
        if lang and lang != lang.lower():
            self._folded[term] = nt_literal(value, lang.lower(), datatype)
        return term

    def iri(self, node: URIRef) -> str:
        """``<iri>``, checked as rdflib checks it (``URIRef.n3``), once per IRI."""
        text = self._iris.get(node)
        if text is None:
            if not isinstance(node, URIRef):
                raise TypeError(f"not an IRI: {node!r}")
            text = self._iris[node] = node.n3()
        return text

    def add(self, s: URIRef, p: URIRef, o: Term) -> None:
        iris = self._iris
        subj = iris.get(s) or self.iri(s)
        pred = iris.get(p) or self.iri(p)
        obj = o if type(o) is str else (iris.get(o) or self.iri(o))  # type: ignore[call-overload]
        line = f"{subj} {pred} {obj} .\n"
        key = line
        if self._folded and obj in self._folded:
            key = f"{subj} {pred} {self._folded[obj]} .\n"
        self._lines.setdefault(key, line)

    @property
    def count(self) -> int:
        return len(self._lines)

    def data(self) -> bytes:
        return "".join(self._lines.values()).encode("utf-8")


@dataclasses.dataclass(frozen=True, slots=True)
class NTriples:
    """One document's graph as the store loads it."""

    graph_iri: str
    data: bytes
    count: int  # triples, duplicates removed (== len of the rdflib Graph)


_FIELD_PLANS: dict[type, tuple[tuple[str, URIRef, bool], ...]] = {}


def _field_plan(kind: type) -> tuple[tuple[str, URIRef, bool], ...]:
    """(field, predicate, language-tagged?) of each field of a fact class that carries a
    predicate, read from the dataclass metadata once per class rather than once per fact."""
    plan = _FIELD_PLANS.get(kind)
    if plan is None:
        rows = []
        for f in dataclasses.fields(kind):
            pred_name = str(f.metadata.get("p", ""))
            if pred_name:
                pred = RDFS.label if pred_name == "rdfs:label" else YK[pred_name]
                rows.append((f.name, pred, bool(f.metadata.get("lang"))))
        plan = _FIELD_PLANS[kind] = tuple(rows)
    return plan


class GraphBuilder:
    """Holds what one build needs; ``build_graph`` and ``build_ntriples`` are the entry points."""

    def __init__(self, doc: Document, cls: Classification, result: ExtractionResult,
                 links: dict[Mention, Link], sink: Sink) -> None:
        self.doc, self.cls, self.result, self.links = doc, cls, result, links
        self.doc_iri = document_iri(doc.doc_id)
        self.add = sink.add
        self.lit = sink.literal
        self.lang = cls.lang
        self._entities_done: set[URIRef] = set()
        self._concerns: dict[str, URIRef] = {}
        self._indications: dict[tuple[Mention, str], URIRef] = {}

    # ------------------------------------------------------------------ helpers

    def text(self, value: str) -> Term:
        return self.lit(value, self.lang)

    def entity(self, mention: Mention) -> URIRef:
        """The shared IRI of a mention, with its type and labels (once per graph)."""
        link = self.links.get(mention)
        if link is None:  # the linker must cover every mention; fall back to the text itself
            link = Link(key=mention.text, kind=mention.kind, labels=((mention.lang, mention.text),),
                        method="unlinked", score=0.0, unlinked=True)
        iri = entity_iri(link.kind, link.key)
        if iri in self._entities_done:
            return iri
        self._entities_done.add(iri)
        add, lit = self.add, self.lit
        add(iri, RDF.type, _ENTITY_CLASS[link.kind])
        label_p = SKOS.prefLabel if link.kind == "concept" else RDFS.label
        for lang, label in link.labels:
            add(iri, label_p, lit(label, lang))
            if label_p is SKOS.prefLabel:
                add(iri, RDFS.label, lit(label, lang))
        for lang, label in link.alt_labels:
            add(iri, SKOS.altLabel, lit(label, lang))
        if link.kind == "concept" and link.unlinked:
            add(iri, YK.unlinked, lit(True))
        for code in link.codes:
            add(iri, YK.code, lit(code))
        for inner in link.includes:
            add(iri, YK.includesConcept, entity_iri("concept", inner))
        if mention.text not in {label for _, label in link.labels}:
            add(iri, SKOS.altLabel if link.kind != "product" else YK.tradeName,
                lit(mention.text, mention.lang))
        add(iri, YK.linkMethod, lit(link.method))
        add(iri, YK.linkScore, lit(Decimal(str(round(link.score, 3))), datatype=_DECIMAL))
        return iri

    def provenance(self, node: URIRef, ref: SourceRef | None) -> None:
        add = self.add
        add(node, PROV.wasDerivedFrom, self.doc_iri)
        if ref is None:
            return
        if ref.page is not None:
            add(node, YK.page, self.lit(ref.page, datatype=_INTEGER))
        if ref.section:
            add(node, YK.section, self.lit(ref.section))
        evidence = evidence_text(self.doc, ref)
        if evidence:
            add(node, YK.evidenceText, self.text(evidence))
            box = self.doc.box_of(ref.start, ref.end) if ref.doc_id == self.doc.doc_id else None
            if box is not None and box[0] == ref.page:
                add(node, YK.bbox, self.lit(" ".join(f"{v:.1f}" for v in box[1])))
        add(node, YK.extractionMethod, self.lit(self.method_at(ref)))

    def method_at(self, ref: SourceRef) -> str:
        if self.doc.source_format == "text":
            return "text"
        page = next((p for p in self.doc.pages if p.number == ref.page), None)
        if page is not None and page.method is not None:
            return page.method
        return "ocr" if page is not None and page.status == "ocr" else "pdf-text"

    def value(self, value: object, *, lang: bool) -> Term | None:
        if value is None:
            return None
        if isinstance(value, Mention):
            return self.entity(value)
        if isinstance(value, bool):
            return self.lit(value)
        if isinstance(value, int):
            return self.lit(value, datatype=_INTEGER)
        if isinstance(value, Decimal):
            return self.lit(value, datatype=_DECIMAL)
        if isinstance(value, dt.date):
            return self.lit(value, datatype=_DATE)
        if isinstance(value, YearMonth):
            return self.lit(str(value), datatype=_YEAR_MONTH)
        if isinstance(value, str):
            return self.text(value) if lang else self.lit(value)
        raise TypeError(f"cannot put {type(value).__name__} into the graph")

    # ------------------------------------------------------------------ parts

    def add_document(self) -> None:
        add, lit, d, info = self.add, self.lit, self.doc_iri, self.result.info
        add(d, RDF.type, YK.SourceDocument)
        add(d, RDF.type, YK[self.cls.doc_type.value])
        add(d, YK.sha256, lit(self.doc.doc_id))
        add(d, DCT.language, lit(self.lang))
        add(d, YK.fileName, lit(PurePath(self.doc.path).name))
        add(d, YK.sourcePath, lit(os.path.abspath(self.doc.path)))
        add(d, YK.sourceFormat, lit(self.doc.source_format))
        if self.doc.pages and self.doc.pages[0].number is not None:
            add(d, YK.pageCount, lit(len(self.doc.pages), datatype=_INTEGER))
            self.add_page_statuses()
        add(d, YK.extractionStatus, lit(self.result.status))
        add(d, YK.factCount, lit(len(self.result.facts), datatype=_INTEGER))
        add(d, YK.classificationScore, lit(Decimal(str(round(self.cls.score, 3))), datatype=_DECIMAL))
        if info.title:
            add(d, DCT.title, self.text(info.title))
        if info.issued:
            add(d, DCT.issued, lit(info.issued, datatype=_DATE))
        if info.previous_version_date:
            add(d, YK.previousVersionDate, lit(info.previous_version_date, datatype=_DATE))
        if info.change_summary:
            add(d, YK.changeSummary, self.text(info.change_summary))
        if info.change_reason:
            add(d, YK.changeReason, self.text(info.change_reason))
        review_fields = ((YK.issuedMonth, info.issued_month, False),
                         (YK.edition, info.edition, False),
                         (YK.materialName, info.material_name, True),
                         (YK.applicationDate, info.application_date, False),
                         (YK.deliberationDate, info.deliberation_date, False),
                         (YK.applicationClassification, info.application_classification, True),
                         (YK.specialMention, info.special_mention, True),
                         (YK.orphanDesignation, info.orphan_designation, False),
                         (YK.reviewingOffice, info.reviewing_office, True))
        for pred, raw, lang in review_fields:
            obj = self.value(raw, lang=lang)
            if obj is not None:
                add(d, pred, obj)
        for product in info.products:
            add(d, YK.aboutProduct, self.entity(product))
        for issue in self.result.issues:
            add(d, YK.issueText, lit(f"{issue.level} {issue.code}: {issue.message}"))
            add(d, YK.issueCode, lit(issue.code))
        for page in self.doc.unreadable_pages():
            add(d, YK.issueText, lit(f"page {page.number} unreadable: {page.reason}"))

    def add_page_statuses(self) -> None:
        """A node for each page not read as ordinary PDF text (OCR, recovered, unreadable), so
        the documents page can say how each document was read without a node per page."""
        add, lit = self.add, self.lit
        for page in self.doc.pages:
            if page.status == "ok" or page.number is None:
                continue
            node = URIRef(f"{self.doc_iri}/page/{page.number}")
            add(self.doc_iri, YK.documentPage, node)
            add(node, RDF.type, YK.DocumentPage)
            add(node, YK.pageNumber, lit(page.number, datatype=_INTEGER))
            add(node, YK.pageStatus, lit(page.status))
            if page.reason:
                add(node, YK.statusReason, lit(page.reason))

    def add_product(self, pf: ProductFact) -> None:
        add, lit = self.add, self.lit
        product = self.entity(pf.product)
        add(self.doc_iri, YK.aboutProduct, product)
        self.provenance(product, pf.ref)
        for name in pf.names:
            add(product, YK.tradeName, self.text(name))
        for sub in pf.substances:
            s = self.entity(sub)
            add(product, YK.hasActiveSubstance, s)
            self.provenance(s, pf.ref)
        if pf.holder is not None:
            h = self.entity(pf.holder)
            add(product, YK.marketingAuthorisationHolder, h)
            self.provenance(h, pf.ref)
        for number in pf.approval_number:
            add(product, YK.approvalNumber, lit(number))
        for day in pf.approval_date:
            add(product, YK.approvalDate, lit(day, datatype=_DATE))
        if pf.reexamination_years is not None:
            add(product, YK.reexaminationYears, lit(pf.reexamination_years, datatype=_INTEGER))
        if pf.therapeutic_category:
            add(product, YK.therapeuticCategory, lit(pf.therapeutic_category))

    def add_study(self, sf: StudyFact) -> None:
        add, lit = self.add, self.lit
        name = (*sf.identifiers, *sf.aliases, sf.title)[0]  # a record without a code: its title
        if not name:
            return
        study = self.entity(Mention(name, self.lang, "study"))
        self.provenance(study, sf.ref)
        for ident in sf.identifiers:
            add(study, YK.studyIdentifier, lit(ident))
        for alias in sf.aliases:
            add(study, SKOS.altLabel, self.text(alias))
        simple = {YK.studyTitle: sf.title, YK.phase: sf.phase, YK.enrollment: sf.enrollment,
                  YK.design: sf.design}
        for pred, val in simple.items():
            obj = self.value(val, lang=pred in (YK.studyTitle, YK.design))
            if obj is not None:
                add(study, pred, obj)
        for pred, mentions in ((YK.studiesProduct, sf.products), (YK.condition, sf.conditions),
                               (YK.intervention, sf.interventions)):
            for m in mentions:
                add(study, pred, self.entity(m))
        if sf.sponsor is not None:
            add(study, YK.sponsor, self.entity(sf.sponsor))
        for country in sf.countries:
            add(study, YK.country, lit(country))
        for pred, texts in ((YK.primaryEndpoint, sf.primary_endpoints),
                            (YK.secondaryEndpoint, sf.secondary_endpoints)):
            for t in texts:
                add(study, pred, self.text(t))

    def fact_node(self, fact: Fact) -> URIRef:
        return fact_iri(self.doc.doc_id, fact.rdf_class, fact_key(fact))

    def add_fact(self, fact: Fact) -> None:
        node = self.fact_node(fact)
        self.add(node, RDF.type, YK[fact.rdf_class])
        self.provenance(node, fact.ref)
        for name, pred, lang in _field_plan(type(fact)):
            for obj in self.objects(fact, name, getattr(fact, name), lang):
                self.add(node, pred, obj)

    def objects(self, fact: Fact, name: str, raw: object, lang: bool) -> Iterable[Term]:
        """The RDF objects of one field, with the few fields that point at other facts."""
        if raw is None:
            return []
        if name == "category" and isinstance(fact, SafetyConcern):
            return [_CATEGORY[fact.category]]
        if name == "scope" and isinstance(fact, Activity):
            return [_SCOPE[fact.scope]]
        if name == "addresses" and isinstance(fact, Activity):
            return [self._concerns[c] for c in fact.addresses if c in self._concerns]
        if name == "indication" and isinstance(raw, str):
            target = self._indications.get((fact.product, raw))  # type: ignore[union-attr]
            return [target] if target is not None else [self.text(raw)]
        values = raw if isinstance(raw, tuple) else (raw,)
        out = [self.value(v, lang=lang) for v in values]
        return [o for o in out if o is not None]

    def build(self) -> None:
        """Every triple of the document, into the sink."""
        self.add_document()
        for pf in self.result.products:
            self.add_product(pf)
        for sf in self.result.studies:
            self.add_study(sf)
        # facts that others point at first: concerns (by label) and indications (by text)
        for fact in self.result.facts:
            if isinstance(fact, SafetyConcern):
                self._concerns[fact.label] = self.fact_node(fact)
            elif isinstance(fact, Indication):
                self._indications[(fact.product, fact.text)] = self.fact_node(fact)
        for fact in self.result.facts:
            self.add_fact(fact)


def evidence_text(doc: Document, ref: SourceRef) -> str:
    """The verbatim source text of a span, with trailing spaces of each line trimmed."""
    if ref.doc_id != doc.doc_id or ref.end <= ref.start:
        return ""
    raw = doc.text[ref.start:ref.end].replace("\f", "\n")
    return "\n".join(line.rstrip() for line in raw.strip().split("\n"))


def build_graph(doc: Document, cls: Classification, result: ExtractionResult,
                links: dict[Mention, Link]) -> Graph:
    """The named graph of one document version (identifier = the document IRI)."""
    sink = GraphSink(document_iri(doc.doc_id))
    GraphBuilder(doc, cls, result, links, sink).build()
    return sink.graph


def build_ntriples(doc: Document, cls: Classification, result: ExtractionResult,
                   links: dict[Mention, Link]) -> NTriples:
    """The same graph as ``build_graph``, as the N-Triples the store loads (see NTriplesSink)."""
    sink = NTriplesSink()
    builder = GraphBuilder(doc, cls, result, links, sink)
    builder.build()
    return NTriples(str(builder.doc_iri), sink.data(), sink.count)


__all__ = ["NTriples", "build_graph", "build_ntriples", "evidence_text", "nt_literal"]
