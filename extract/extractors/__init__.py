"""One extractor per document kind: ``extract(doc: Document) -> ExtractionResult``.

A plain mapping, no registry decorators: the module for each kind is imported when first
needed, so ``yakuji --help`` stays instant.
"""

from __future__ import annotations

import importlib
from typing import Callable

from extract.model import DocType, Document, ExtractionResult

Extractor = Callable[[Document], ExtractionResult]

EXTRACTORS: dict[DocType, str] = {
    DocType.REVIEW_REPORT: "extract.extractors.review",
    DocType.RMP: "extract.extractors.rmp",
    DocType.GUIDELINE: "extract.extractors.guideline",
    DocType.TRIAL_RECORD: "extract.extractors.trial_record",
    DocType.PRODUCT_INFO: "extract.extractors.product_info",
    DocType.INTERVIEW_FORM: "extract.extractors.interview_form",
    DocType.PATIENT_GUIDE: "extract.extractors.patient_guide",
    DocType.RISK_MATERIAL: "extract.extractors.risk_material",
}


def get_extractor(doc_type: DocType) -> Extractor:
    module = importlib.import_module(EXTRACTORS[doc_type])
    return module.extract  # type: ignore[no-any-return]
