"""Turn one document's extraction into its named graph.

The builder knows the contract vocabulary only through the field metadata of the fact
dataclasses (``extract.model``) plus the few entity shapes below, so a new fact type needs no
code here. Everything goes into one ``rdflib.Graph`` whose identifier is the document IRI; the
store writes it in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import PurePath
from typing import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

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
)
from extract.rdf.iri import document_iri, entity_iri, fact_iri, fact_key
from extract.rdf.namespaces import DCT, YK

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


class GraphBuilder:
    """Holds what one build needs; ``build_graph`` is the entry point."""

    def __init__(self, doc: Document, cls: Classification, result: ExtractionResult,
                 links: dict[Mention, Link]) -> None:
        self.doc, self.cls, self.result, self.links = doc, cls, result, links
        self.doc_iri = document_iri(doc.doc_id)
        self.graph = Graph(identifier=self.doc_iri)
        self.lang = cls.lang
        self._entities_done: set[URIRef] = set()
        self._concerns: dict[str, URIRef] = {}
        self._indications: dict[tuple[Mention, str], URIRef] = {}

    # ------------------------------------------------------------------ helpers

    def text(self, value: str) -> Literal:
        return Literal(value, lang=self.lang)

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
        g = self.graph
        g.add((iri, RDF.type, _ENTITY_CLASS[link.kind]))
        label_p = SKOS.prefLabel if link.kind == "concept" else RDFS.label
        for lang, label in link.labels:
            g.add((iri, label_p, Literal(label, lang=lang)))
            if label_p is SKOS.prefLabel:
                g.add((iri, RDFS.label, Literal(label, lang=lang)))
        for lang, label in link.alt_labels:
            g.add((iri, SKOS.altLabel, Literal(label, lang=lang)))
        if link.kind == "concept" and link.unlinked:
            g.add((iri, YK.unlinked, Literal(True)))
        for code in link.codes:
            g.add((iri, YK.code, Literal(code)))
        for inner in link.includes:
            g.add((iri, YK.includesConcept, entity_iri("concept", inner)))
        if mention.text not in {label for _, label in link.labels}:
            g.add((iri, SKOS.altLabel if link.kind != "product" else YK.tradeName,
                   Literal(mention.text, lang=mention.lang)))
        g.add((iri, YK.linkMethod, Literal(link.method)))
        g.add((iri, YK.linkScore, Literal(Decimal(str(round(link.score, 3))), datatype=XSD.decimal)))
        return iri

    def provenance(self, node: URIRef, ref: SourceRef | None) -> None:
        g = self.graph
        g.add((node, PROV.wasDerivedFrom, self.doc_iri))
        if ref is None:
            return
        if ref.page is not None:
            g.add((node, YK.page, Literal(ref.page, datatype=XSD.integer)))
        if ref.section:
            g.add((node, YK.section, Literal(ref.section)))
        evidence = evidence_text(self.doc, ref)
        if evidence:
            g.add((node, YK.evidenceText, self.text(evidence)))
        g.add((node, YK.extractionMethod, Literal(self.method_at(ref))))

    def method_at(self, ref: SourceRef) -> str:
        if self.doc.source_format == "text":
            return "text"
        page = next((p for p in self.doc.pages if p.number == ref.page), None)
        return "ocr" if page is not None and page.status == "ocr" else "pdf-text"

    def value(self, value: object, *, lang: bool) -> Literal | URIRef | None:
        if value is None:
            return None
        if isinstance(value, Mention):
            return self.entity(value)
        if isinstance(value, bool):
            return Literal(value)
        if isinstance(value, int):
            return Literal(value, datatype=XSD.integer)
        if isinstance(value, Decimal):
            return Literal(value, datatype=XSD.decimal)
        if isinstance(value, dt.date):
            return Literal(value, datatype=XSD.date)
        if isinstance(value, str):
            return self.text(value) if lang else Literal(value)
        raise TypeError(f"cannot put {type(value).__name__} into the graph")

    # ------------------------------------------------------------------ parts

    def add_document(self) -> None:
        g, d, info = self.graph, self.doc_iri, self.result.info
        g.add((d, RDF.type, YK.SourceDocument))
        g.add((d, RDF.type, YK[self.cls.doc_type.value]))
        g.add((d, YK.sha256, Literal(self.doc.doc_id)))
        g.add((d, DCT.language, Literal(self.lang)))
        g.add((d, YK.fileName, Literal(PurePath(self.doc.path).name)))
        g.add((d, YK.sourceFormat, Literal(self.doc.source_format)))
        if self.doc.pages and self.doc.pages[0].number is not None:
            g.add((d, YK.pageCount, Literal(len(self.doc.pages), datatype=XSD.integer)))
        g.add((d, YK.extractionStatus, Literal(self.result.status)))
        g.add((d, YK.classificationScore,
               Literal(Decimal(str(round(self.cls.score, 3))), datatype=XSD.decimal)))
        if info.title:
            g.add((d, DCT.title, self.text(info.title)))
        if info.issued:
            g.add((d, DCT.issued, Literal(info.issued, datatype=XSD.date)))
        if info.previous_version_date:
            g.add((d, YK.previousVersionDate, Literal(info.previous_version_date, datatype=XSD.date)))
        if info.change_summary:
            g.add((d, YK.changeSummary, self.text(info.change_summary)))
        if info.change_reason:
            g.add((d, YK.changeReason, self.text(info.change_reason)))
        review_fields = ((YK.applicationDate, info.application_date, False),
                         (YK.deliberationDate, info.deliberation_date, False),
                         (YK.applicationClassification, info.application_classification, True),
                         (YK.specialMention, info.special_mention, True),
                         (YK.orphanDesignation, info.orphan_designation, False),
                         (YK.reviewingOffice, info.reviewing_office, True))
        for pred, raw, lang in review_fields:
            obj = self.value(raw, lang=lang)
            if obj is not None:
                g.add((d, pred, obj))
        for product in info.products:
            g.add((d, YK.aboutProduct, self.entity(product)))
        for issue in self.result.issues:
            g.add((d, YK.issueText, Literal(f"{issue.level}: {issue.message}")))
        for page in self.doc.unreadable_pages():
            g.add((d, YK.issueText, Literal(f"page {page.number} unreadable: {page.reason}")))

    def add_product(self, pf: ProductFact) -> None:
        g = self.graph
        product = self.entity(pf.product)
        g.add((self.doc_iri, YK.aboutProduct, product))
        self.provenance(product, pf.ref)
        for name in pf.names:
            g.add((product, YK.tradeName, self.text(name)))
        for sub in pf.substances:
            s = self.entity(sub)
            g.add((product, YK.hasActiveSubstance, s))
            self.provenance(s, pf.ref)
        if pf.holder is not None:
            h = self.entity(pf.holder)
            g.add((product, YK.marketingAuthorisationHolder, h))
            self.provenance(h, pf.ref)
        for number in pf.approval_number:
            g.add((product, YK.approvalNumber, Literal(number)))
        for day in pf.approval_date:
            g.add((product, YK.approvalDate, Literal(day, datatype=XSD.date)))
        if pf.reexamination_years is not None:
            g.add((product, YK.reexaminationYears, Literal(pf.reexamination_years, datatype=XSD.integer)))
        if pf.therapeutic_category:
            g.add((product, YK.therapeuticCategory, Literal(pf.therapeutic_category)))

    def add_study(self, sf: StudyFact) -> None:
        g = self.graph
        name = (*sf.identifiers, *sf.aliases, sf.title)[0]  # a record without a code: its title
        if not name:
            return
        study = self.entity(Mention(name, self.lang, "study"))
        self.provenance(study, sf.ref)
        for ident in sf.identifiers:
            g.add((study, YK.studyIdentifier, Literal(ident)))
        for alias in sf.aliases:
            g.add((study, SKOS.altLabel, self.text(alias)))
        simple = {YK.studyTitle: sf.title, YK.phase: sf.phase, YK.enrollment: sf.enrollment,
                  YK.design: sf.design}
        for pred, val in simple.items():
            lit = self.value(val, lang=pred in (YK.studyTitle, YK.design))
            if lit is not None:
                g.add((study, pred, lit))
        for pred, mentions in ((YK.studiesProduct, sf.products), (YK.condition, sf.conditions),
                               (YK.intervention, sf.interventions)):
            for m in mentions:
                g.add((study, pred, self.entity(m)))
        if sf.sponsor is not None:
            g.add((study, YK.sponsor, self.entity(sf.sponsor)))
        for country in sf.countries:
            g.add((study, YK.country, Literal(country)))
        for pred, texts in ((YK.primaryEndpoint, sf.primary_endpoints),
                            (YK.secondaryEndpoint, sf.secondary_endpoints)):
            for t in texts:
                g.add((study, pred, self.text(t)))

    def fact_node(self, fact: Fact) -> URIRef:
        return fact_iri(self.doc.doc_id, fact.rdf_class, fact_key(fact))

    def add_fact(self, fact: Fact) -> None:
        g = self.graph
        node = self.fact_node(fact)
        g.add((node, RDF.type, YK[fact.rdf_class]))
        self.provenance(node, fact.ref)
        for f in dataclasses.fields(fact):  # type: ignore[arg-type]
            pred_name = f.metadata.get("p", "")
            if not pred_name:
                continue
            pred = RDFS.label if pred_name == "rdfs:label" else YK[str(pred_name)]
            raw = getattr(fact, f.name)
            for obj in self.objects(fact, f.name, raw, bool(f.metadata.get("lang"))):
                g.add((node, pred, obj))

    def objects(self, fact: Fact, name: str, raw: object, lang: bool) -> Iterable[Literal | URIRef]:
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

    def build(self) -> Graph:
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
        return self.graph


def evidence_text(doc: Document, ref: SourceRef) -> str:
    """The verbatim source text of a span, with trailing spaces of each line trimmed."""
    if ref.doc_id != doc.doc_id or ref.end <= ref.start:
        return ""
    raw = doc.text[ref.start:ref.end].replace("\f", "\n")
    return "\n".join(line.rstrip() for line in raw.strip().split("\n"))


def build_graph(doc: Document, cls: Classification, result: ExtractionResult,
                links: dict[Mention, Link]) -> Graph:
    """The named graph of one document version (identifier = the document IRI)."""
    return GraphBuilder(doc, cls, result, links).build()


__all__ = ["build_graph", "evidence_text"]
