// yakuji-kg pages: search as you type (a combobox over /api/search) and the page-image viewer
// (the PDF page with the evidence box, in a dialog). The pages work without it: the search form
// goes to /search and a page link opens the image itself. No external assets.
"use strict";

const SCALE = 1.5; // pixels per PDF point of /page-image (extract/web/pdfpage.py SCALE)
const pageLang = () => document.documentElement.lang || "en";  // the query page switches it in place
const say = (en, ja) => (pageLang() === "ja" ? ja : en);
const KINDS = { product: ["Product", "製品"], substance: ["Substance", "成分"], concept: ["Concept", "概念"],
  study: ["Study", "試験"] };

// ------------------------------------------------------------------ search as you type

function setupSearch() {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let active = -1, items = [], controller = null, timer = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show(results) {
    list.replaceChildren();
    items = results;
    results.forEach((r, i) => {
      const li = document.createElement("li");
      li.id = `suggestion-${i}`;
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.href = r.href;
      a.tabIndex = -1;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = say(...KINDS[r.kind]);
      const name = document.createElement("span");
      name.textContent = r.label;
      if (r.lang && r.lang !== pageLang()) name.lang = r.lang;
      a.append(kind, " ", name);
      if (r.matched) {
        const m = document.createElement("span");
        m.className = "muted";
        m.textContent = ` (${r.matched})`;
        if (r.matchedLang && r.matchedLang !== pageLang()) m.lang = r.matchedLang;
        a.append(m);
      }
      li.append(a);
      li.addEventListener("mousedown", (e) => { e.preventDefault(); location.href = r.href; });
      list.append(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    active = -1;
  }

  function move(step) {
    if (!items.length) return;
    active = (active + step + items.length) % items.length;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
    input.setAttribute("aria-activedescendant", `suggestion-${active}`);
  }

  async function lookup() {
    const q = input.value.trim();
    if (!q) { close(); return; }
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const params = new URLSearchParams({ q, limit: "8", lang: pageLang() });
      const r = await fetch(`/api/search?${params}`, { signal: controller.signal });
      if (!r.ok) return;
      const doc = await r.json();
      if (doc.query === input.value.trim()) show(doc.results);
    } catch (err) {
      if (err.name !== "AbortError") close();
    }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookup, 60); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) lookup(); else move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); location.href = items[active].href; }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

// ------------------------------------------------------------------ page image viewer

function setupViewer() {
  const dialog = document.getElementById("viewer");
  if (!dialog) return;
  const img = document.getElementById("viewer-img");
  const note = document.getElementById("viewer-note");
  const body = dialog.querySelector(".viewer-body");
  let opener = null, url = null;

  dialog.querySelector(".close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (url) URL.revokeObjectURL(url);
    url = null;
    img.removeAttribute("src");
    if (opener) opener.focus();
  });

  document.addEventListener("click", async (e) => {
    const link = e.target.closest("a.page-link");
    if (!link) return;
    e.preventDefault();
    opener = link;
    const doc = link.closest(".source")?.querySelector("a.doc")?.textContent || "";
    const page = link.dataset.page;
    document.getElementById("viewer-title").textContent = `${doc} — ${say("page", "")} ${page}${say("", "ページ")}`;
    const notes = [];
    if (link.dataset.box) notes.push(say("The box marks the evidence.", "枠が根拠の位置です。"));
    else notes.push(say("No box: the position of this evidence on the page is not recorded.",
      "枠なし：この根拠のページ上の位置は記録されていません。"));
    if (link.dataset.method === "ocr") notes.push(say("This text was read by OCR: check values against the image.",
      "このテキストはOCRで読み取りました：値は画像で確認してください。"));
    else if (link.dataset.method && link.dataset.method !== "pdf-text") notes.push(
      say("This text comes from a recovered font map: check it against the image.",
        "このテキストは復元したフォント対応表によるものです：画像で確認してください。"));
    note.textContent = say("Loading…", "読み込み中…");
    img.alt = "";
    dialog.showModal();
    body.focus();
    const response = await fetch(link.href);
    if (!response.ok) {
      note.textContent = await response.text();
      return;
    }
    const extra = response.headers.get("X-Yakuji-Note");
    if (extra) notes.push(extra);
    note.textContent = notes.join(" ");
    url = URL.createObjectURL(await response.blob());
    img.onload = () => {
      const box = (link.dataset.box || "").split(/\s+/).map(Number);
      if (box.length === 4) {
        const ratio = img.clientWidth / img.naturalWidth;
        body.scrollTop = Math.max(0, box[1] * SCALE * ratio - body.clientHeight / 3);
      }
    };
    img.alt = `${doc}, ${say("page", "")} ${page}${say("", "ページ")}` + (link.dataset.box ? say(", evidence marked", "（根拠に枠）") : "");
    img.src = url;
  });
}

// RMP diff: choosing another product lists its versions (the form works without this, in two steps)
function setupDiffForm() {
  const product = document.getElementById("diff-product");
  if (!product) return;
  product.addEventListener("change", () => { location.href = `/diff?${new URLSearchParams({ product: product.value })}`; });
}

setupSearch();
setupViewer();
setupDiffForm();
