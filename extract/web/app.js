// yakuji-kg web page: named queries with parameters, free SPARQL with highlighting, results with
// labels in the chosen language, provenance of facts, CSV download. No external assets.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { queries: [], lang: "en", columns: [], rows: [], labels: new Map() };

function t(el) { return el.dataset[state.lang] || el.dataset.en || el.textContent; }

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-en]").forEach((el) => { el.textContent = t(el); });
  fillQuerySelect();
  if (state.rows.length) renderTable();
}

// ------------------------------------------------------------------ named queries

async function loadQueries() {
  const response = await fetch("/queries");
  state.queries = await response.json();
  fillQuerySelect();
}

function fillQuerySelect() {
  const select = $("query-select");
  const current = select.value;
  select.replaceChildren();
  for (const q of state.queries) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = (state.lang === "ja" && q.title_ja ? q.title_ja : q.title) + `  (${q.name})`;
    select.append(option);
  }
  if (current) select.value = current;
  showParams();
}

function showParams() {
  const q = state.queries.find((x) => x.name === $("query-select").value);
  const form = $("param-form");
  const kept = Object.fromEntries(new FormData(form));
  form.replaceChildren();
  if (!q) return;
  $("query-description").textContent = q.description;
  for (const p of q.params) {
    const label = document.createElement("label");
    const name = document.createElement("span");
    name.textContent = p.name + (p.required ? " *" : "");
    const input = document.createElement("input");
    input.name = p.name;
    input.required = p.required;
    input.value = kept[p.name] || "";
    input.placeholder = p.type === "iri" ? "https://w3id.org/yakuji/id/…" : (state.lang === "ja" ? "日本語または英語" : "English or Japanese");
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = `${p.type} — ${p.description}`;
    label.append(name, input, hint);
    form.append(label);
  }
}

async function runNamed() {
  const name = $("query-select").value;
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("param-form"))) if (v.trim()) params.append(k, v.trim());
  await run(`/queries/${encodeURIComponent(name)}?${params}`, { headers: { Accept: "application/sparql-results+json" } });
}

// ------------------------------------------------------------------ free SPARQL

const KEYWORDS = new Set(("SELECT CONSTRUCT DESCRIBE ASK WHERE FILTER OPTIONAL UNION MINUS GRAPH BIND VALUES " +
  "PREFIX BASE DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING AS FROM NAMED NOT EXISTS IN " +
  "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES LCASE UCASE CONTAINS STRSTARTS " +
  "REGEX BOUND IF COALESCE ISIRI ISLITERAL DATATYPE A TRUE FALSE").split(" "));
const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"\s]*>)|([?$]\w+)|([A-Za-z_][\w-]*:[\w\-.%]*|:[\w\-.%]*)|([A-Za-z_]+)/g;

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function highlight(text) {
  let out = "", last = 0;
  for (const m of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, m.index));
    const [tok, cmt, str, iri, v, pn, word] = m;
    const cls = cmt ? "cmt" : str ? "str" : iri ? "iri" : v ? "var" : pn ? "pn" : KEYWORDS.has(word.toUpperCase()) ? "kw" : "";
    out += cls ? `<span class="hl-${cls}">${escapeHtml(tok)}</span>` : escapeHtml(tok);
    last = m.index + tok.length;
  }
  return out + escapeHtml(text.slice(last)) + "\n";
}

function syncEditor() {
  $("highlight").innerHTML = highlight($("sparql").value);
  $("highlight").scrollTop = $("sparql").scrollTop;
}

async function initEditor() {
  const prefixes = await (await fetch("/prefixes")).json();
  $("sparql").value = Object.entries(prefixes).map(([k, v]) => `PREFIX ${k}: <${v}>`).join("\n") +
    "\n\nSELECT ?product ?label WHERE {\n  ?product a yk:MedicinalProduct ; rdfs:label ?label .\n}\nORDER BY ?label\nLIMIT 100\n";
  syncEditor();
}

async function runFree() {
  const body = new URLSearchParams({ query: $("sparql").value });
  await run("/sparql", { method: "POST", body, headers: { Accept: "application/sparql-results+json" } });
}

// ------------------------------------------------------------------ results

function setStatus(text, kind = "") {
  $("status").textContent = text;
  $("status").className = kind;
}

async function run(url, options) {
  setStatus(state.lang === "ja" ? "実行中…" : "Running…");
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, options);
  } catch (err) {
    setStatus(String(err), "error");
    return;
  }
  const text = await response.text();
  let doc;
  try { doc = JSON.parse(text); } catch { doc = null; }
  if (!response.ok || !doc) {
    setStatus((doc && doc.error) || `HTTP ${response.status}: ${text.slice(0, 300)}`, "error");
    return;
  }
  const ms = Math.round(performance.now() - started);
  if ("boolean" in doc) {
    state.columns = ["boolean"];
    state.rows = [{ boolean: { type: "literal", value: String(doc.boolean) } }];
  } else {
    state.columns = doc.head.vars;
    state.rows = doc.results.bindings;
  }
  const extra = doc.yakuji && doc.yakuji.truncated
    ? (state.lang === "ja" ? `（上限 ${doc.yakuji.maxRows} 行で打ち切り）` : ` (cut at the ${doc.yakuji.maxRows}-row limit)`) : "";
  setStatus(`${state.rows.length} ${state.lang === "ja" ? "行" : "row(s)"}, ${ms} ms${extra}`, extra ? "warn" : "");
  await fetchLabels();
  renderTable();
  $("download").disabled = state.rows.length === 0;
}

async function fetchLabels() {
  const iris = new Set();
  for (const row of state.rows) for (const v of Object.values(row)) if (v.type === "uri" && !state.labels.has(v.value)) iris.add(v.value);
  const list = [...iris].slice(0, 500);
  if (!list.length) return;
  const values = list.map((i) => `<${i}>`).join(" ");
  const query = `SELECT ?s ?l WHERE { VALUES ?s { ${values} } ?s rdfs:label|skos:prefLabel|dct:title ?l }`;
  const response = await fetch("/sparql", { method: "POST", body: new URLSearchParams({ query }),
    headers: { Accept: "application/sparql-results+json" } });
  if (!response.ok) return;
  const doc = await response.json();
  for (const iri of list) state.labels.set(iri, {});
  for (const b of doc.results.bindings) {
    const entry = state.labels.get(b.s.value);
    const lang = b.l["xml:lang"] || "";
    if (!(lang in entry)) entry[lang] = b.l.value;
  }
}

function labelOf(iri) {
  const entry = state.labels.get(iri) || {};
  const other = state.lang === "ja" ? "en" : "ja";
  return entry[state.lang] || entry[""] || entry[other] || iri.replace(/^.*[#/]/, "");
}

function cell(value) {
  const td = document.createElement("td");
  if (!value) return td;
  if (value.type === "uri") {
    const a = document.createElement("a");
    a.href = value.value;
    a.title = value.value;
    a.textContent = labelOf(value.value);
    a.addEventListener("click", (e) => { e.preventDefault(); showProvenance(value.value); });
    const iri = document.createElement("span");
    iri.className = "iri";
    iri.textContent = value.value.replace("https://w3id.org/yakuji/id/", "ykid:").replace("https://w3id.org/yakuji/ontology#", "yk:");
    td.append(a, iri);
  } else {
    td.textContent = value.value;
    if (value["xml:lang"]) td.lang = value["xml:lang"];
  }
  return td;
}

function renderTable() {
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of state.columns) {
    const th = document.createElement("th");
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of state.rows) {
    const tr = body.insertRow();
    for (const c of state.columns) tr.append(cell(row[c]));
  }
  $("results").replaceChildren(table);
}

// Evidence: the fact-provenance named query for a fact node; for other IRIs, their label and type.
async function showProvenance(iri) {
  const response = await fetch(`/queries/fact-provenance?${new URLSearchParams({ fact: iri })}`,
    { headers: { Accept: "application/sparql-results+json" } });
  const doc = response.ok ? await response.json() : { results: { bindings: [] } };
  const body = $("provenance-body");
  body.replaceChildren();
  const link = document.createElement("p");
  link.textContent = iri;
  body.append(link);
  const rows = doc.results.bindings;
  if (!rows.length) {
    const p = document.createElement("p");
    p.textContent = state.lang === "ja" ? "この項目には出典情報がありません。" : "No provenance recorded for this item.";
    body.append(p);
  }
  const names = { title: ["Document", "文書"], file: ["File", "ファイル"], page: ["Page", "ページ"],
    section: ["Section", "節"], evidence: ["Evidence", "原文"], method: ["Method", "抽出方法"], issued: ["Issued", "発行日"] };
  for (const row of rows) {
    const dl = document.createElement("dl");
    for (const [key, [en, ja]] of Object.entries(names)) {
      if (!row[key]) continue;
      const dt = document.createElement("dt");
      dt.textContent = state.lang === "ja" ? ja : en;
      const dd = document.createElement("dd");
      dd.textContent = row[key].value;
      dl.append(dt, dd);
    }
    body.append(dl);
  }
  $("provenance").hidden = false;
}

function downloadCsv() {
  const quote = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [state.columns.map(quote).join(",")];
  for (const row of state.rows) lines.push(state.columns.map((c) => quote(row[c] ? row[c].value : "")).join(","));
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "yakuji-results.csv";
  a.click();
  URL.revokeObjectURL(a.href);
}

// ------------------------------------------------------------------ wiring

function showTab(named) {
  $("tab-named").classList.toggle("active", named);
  $("tab-free").classList.toggle("active", !named);
  $("named-panel").hidden = !named;
  $("free-panel").hidden = named;
}

window.addEventListener("DOMContentLoaded", () => {
  const chosen = document.cookie.match(/(?:^|;\s*)lang=(en|ja)/);  // the other pages' language switch
  state.lang = chosen ? chosen[1] : navigator.language && navigator.language.startsWith("ja") ? "ja" : "en";
  $("lang").value = state.lang;
  $("lang").addEventListener("change", () => {
    state.lang = $("lang").value;
    document.cookie = `lang=${state.lang}; path=/; SameSite=Lax`;
    applyLanguage();
  });
  $("query-select").addEventListener("change", showParams);
  $("run-named").addEventListener("click", runNamed);
  $("param-form").addEventListener("submit", (e) => { e.preventDefault(); runNamed(); });
  $("run-free").addEventListener("click", runFree);
  $("sparql").addEventListener("input", syncEditor);
  $("sparql").addEventListener("scroll", syncEditor);
  $("tab-named").addEventListener("click", () => showTab(true));
  $("tab-free").addEventListener("click", () => showTab(false));
  $("download").addEventListener("click", downloadCsv);
  $("close-provenance").addEventListener("click", () => { $("provenance").hidden = true; });
  applyLanguage();
  loadQueries();
  initEditor();
});
