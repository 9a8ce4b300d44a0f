/*
 * Relais desk — the records panel (docs/desk.md): the customer, their journey (requests and
 * activities), the interaction's request (title, description, status) and activity (tags),
 * the customer information form, and the questions asked when the agent closes.
 *
 * Every write sends If-Match with the version the agent loaded; a 409 conflict shows
 * « Modifié par un autre agent. » with a « Charger » button, never a silent overwrite.
 * All text is set with textContent.
 */
import {
  $, el, button, chars, counter, tooLong, date, foldTag, api, isConflict,
  checkCustomer, CUSTOMER_FIELDS, LANGUAGES,
} from "./desk-util.js";

const TITLE_MAX = 200;
const TEXT_MAX = 2000;
const TAG_MAX = 50;
const TAGS_PER_ACTIVITY = 30;
const DUPLICATE_TAG = "Ce tag existe déjà sur cette activité.";
const CONFLICT = "Modifié par un autre agent.";

// A record context per conversation: {convId, task, active, loaded, loadError, customer,
// journey, request, activity, draft, requestErrors, requestConflict, activityConflict,
// customerDraft, editingTitle, detailsOpen, picked, savedNote}.
const ctxs = new Map();
let shown = null;
let hooks = { canPick: () => false, pick: () => {}, changed: () => {} };

function ctxFor(task) {
  let ctx = ctxs.get(task.conversation_id);
  if (!ctx) {
    ctx = { convId: task.conversation_id, task, active: false, loaded: false, customer: null, journey: [],
      request: null, activity: null, draft: null, requestErrors: {}, tagError: "", picked: null };
    ctxs.set(ctx.convId, ctx);
  }
  ctx.task = task;
  return ctx;
}

// ------------------------------------------------------------------- public

export function init(h) {
  hooks = { ...hooks, ...h };
  wireRequest();
  wireTags();
  wireCustomerDialog();
  wireCloseDialog();
}

export const contextOf = (convId) => ctxs.get(convId) || null;
export const customerName = (convId) => {
  const c = ctxs.get(convId);
  return c && c.customer ? c.customer.name : "";
};

// showPreview shows what is known of a waiting task, before it is accepted.
export function showPreview(task) {
  const ctx = ctxFor(task);
  shown = ctx;
  render();
  load(ctx);
}

// showActive shows the records of a conversation the agent holds; desk is the assigned
// envelope's {request, activity, customer}, when the server sent it.
export function showActive(task, desk, select = true) {
  const ctx = ctxFor(task);
  ctx.active = true;
  if (desk) applyContext(ctx, { customer: desk.customer, request: desk.request, activity: desk.activity }, false);
  if (select) shown = ctx;
  render();
  load(ctx);
}

// showMessage shows the records of a left message m ({request, activity, customer}). No
// agent holds it: it is edited as an interaction the agent holds, under the key it returns.
export function showMessage(m) {
  const key = "message:" + m.activity.id;
  let ctx = ctxs.get(key);
  if (!ctx) {
    ctx = { convId: key, messageId: m.activity.id, task: null, active: true, loaded: false, customer: null,
      journey: [], request: null, activity: null, draft: null, requestErrors: {}, tagError: "", picked: null };
    ctxs.set(key, ctx);
  }
  applyContext(ctx, m, false);
  shown = ctx;
  render();
  load(ctx);
  return key;
}

// closeRequest saves the request's unsaved edits of the context under key, then closes the
// request; true when it is closed. Refusals show in the records panel.
export async function closeRequest(key) {
  const ctx = ctxs.get(key);
  if (!ctx || !ctx.request) return false;
  if (requestDirty(ctx) && !(await saveRequest(ctx))) return false;
  const res = await api("PATCH", "/requests/" + encodeURIComponent(ctx.request.id), { body: { status: "closed" }, version: ctx.request.version });
  return afterRequestWrite(ctx, res, false);
}

export function select(convId) {
  shown = ctxs.get(convId) || null;
  render();
}

export function forget(convId) {
  ctxs.delete(convId);
  if (shown && shown.convId === convId) shown = null;
  render();
}

export function clear() {
  shown = null;
  render();
}

// ------------------------------------------------------------------ loading

// contextPath is where ctx's desk context is read: its conversation's, or its message's.
const contextPath = (ctx) => (ctx.messageId ? "/messages/" + encodeURIComponent(ctx.messageId) : "/conversations/" + encodeURIComponent(ctx.convId));

async function load(ctx) {
  const res = await api("GET", contextPath(ctx));
  if (!res.ok) {
    ctx.loadError = res.status === 404 && !ctx.active ? "Cette tâche n'est plus disponible." : res.error.message;
    if (ctx === shown) render();
    return;
  }
  ctx.loadError = "";
  applyContext(ctx, res.data || {}, true);
  if (ctx === shown) render();
  hooks.changed(ctx);
}

// applyContext takes the records of a desk context; full says it holds the journey too.
function applyContext(ctx, d, full) {
  if (d.customer !== undefined) ctx.customer = d.customer || null;
  if (full) {
    const j = d.journey;
    ctx.journey = (j && (Array.isArray(j) ? j : j.requests)) || [];
    ctx.loaded = true;
  }
  if (d.request) {
    ctx.request = d.request;
    if (ctx.draft && ctx.draft.requestId !== d.request.id) {
      // The interaction moved to another request (linking): the agent's edits follow it.
      ctx.draft.requestId = d.request.id;
      ctx.draft.base = d.request.version;
    }
  }
  if (d.activity) ctx.activity = d.activity;
}

// ------------------------------------------------------------------- render

function render() {
  const ctx = shown;
  $("records-empty").hidden = !!ctx;
  $("records-body").hidden = !ctx;
  $("conv-customer").hidden = !ctx;
  if (!ctx) {
    $("records-status").textContent = "";
    return;
  }
  $("records-status").textContent = ctx.loadError || (ctx.loaded ? "" : "Chargement du dossier…");
  renderCustomer(ctx);
  $("preview-pick").hidden = ctx.active || !hooks.canPick(ctx.task);
  $("interaction").hidden = !(ctx.active && ctx.request);
  if (ctx.active && ctx.request) {
    renderRequest(ctx);
    renderActivity(ctx);
  }
  renderJourney(ctx);
}

function renderCustomer(ctx) {
  const c = ctx.customer;
  for (const b of [$("customer-name"), $("conv-customer")]) {
    b.textContent = c ? c.name : ctx.active ? "Client inconnu — créer la fiche" : "Client inconnu";
    b.disabled = !c && !ctx.active;
    b.classList.toggle("dirty-mark", !!(ctx.customerDraft && customerDraftDirty(ctx)));
    b.setAttribute("aria-haspopup", "dialog");
    b.title = c || ctx.active ? "Ouvrir le formulaire d'informations du client" : "";
  }
  const dl = $("customer-info");
  dl.replaceChildren();
  if (!c) {
    dl.append(el("dt", "", "Fiche"), el("dd", "", ctx.active ? "aucune : créez-la ou associez un client existant" : "aucun client connu"));
    return;
  }
  const rows = [["E-mail", c.email], ["Téléphone", c.phone], ["Compte", c.account_number],
    ["Langue", LANGUAGES[c.language] || c.language], ["Adresse", c.address], ["Notes", c.notes],
    ["Réf. externe", c.external_id]];
  for (const [k, v] of rows) if (v) dl.append(el("dt", "", k), el("dd", "", v));
}

function requestDirty(ctx) {
  const d = ctx.draft, r = ctx.request;
  if (!d || !r) return false;
  return (d.title !== undefined && d.title !== r.title) || (d.description !== undefined && d.description !== (r.description || ""));
}

function ensureDraft(ctx) {
  if (!ctx.draft) ctx.draft = { requestId: ctx.request.id, base: ctx.request.version };
  return ctx.draft;
}

const draftTitle = (ctx) => (ctx.draft && ctx.draft.title !== undefined ? ctx.draft.title : ctx.request.title);
const draftDescription = (ctx) => (ctx.draft && ctx.draft.description !== undefined ? ctx.draft.description : ctx.request.description || "");

function renderRequest(ctx) {
  const r = ctx.request;
  $("request-conflict").hidden = !ctx.requestConflict;
  const icon = $("request-icon");
  icon.dataset.status = r.status;
  icon.textContent = r.status === "closed" ? "✓" : "i";
  icon.setAttribute("aria-label", "Détails de la demande (" + statusLabel(r.status) + ")");
  icon.setAttribute("aria-expanded", String(!!ctx.detailsOpen));
  $("request-details").hidden = !ctx.detailsOpen;
  const facts = $("request-facts");
  facts.replaceChildren(el("dt", "", "Statut"), el("dd", "", statusLabel(r.status)), el("dt", "", "Créée le"), el("dd", "", date(r.created_at)));
  if (r.status === "closed" && r.closed_at) facts.append(el("dt", "", "Fermée le"), el("dd", "", date(r.closed_at)));
  if (r.updated_at) facts.append(el("dt", "", "Modifiée le"), el("dd", "", date(r.updated_at)));
  $("request-toggle-status").textContent = r.status === "closed" ? "Rouvrir la demande" : "Clore la demande";

  const title = draftTitle(ctx);
  const tb = $("request-title-btn"), ti = $("request-title");
  tb.hidden = !!ctx.editingTitle;
  ti.hidden = !ctx.editingTitle;
  tb.textContent = title;
  tb.classList.toggle("dirty", !!(ctx.draft && ctx.draft.title !== undefined && ctx.draft.title !== r.title));
  if (ti.value !== title) ti.value = title;
  $("request-title-count").hidden = !ctx.editingTitle;
  counter($("request-title-count"), title, TITLE_MAX);
  const desc = $("request-description");
  const d = draftDescription(ctx);
  if (desc.value !== d) desc.value = d;
  counter($("request-description-count"), d, TEXT_MAX);
  const errs = ctx.requestErrors || {};
  showFieldError(ti, $("request-title-error"), errs.title);
  showFieldError(desc, $("request-description-error"), errs.description || errs._);
  $("request-save").disabled = !requestDirty(ctx) || !!ctx.savingRequest;
  $("request-saved").textContent = ctx.savedNote || "";
}

function showFieldError(input, node, msg) {
  node.textContent = msg || "";
  if (msg) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

const statusLabel = (s) => (s === "closed" ? "Fermée" : "Ouverte");
const kindLabel = (k) => (k === "message" ? "Message laissé" : "Conversation");

function renderActivity(ctx) {
  const a = ctx.activity;
  $("activity-conflict").hidden = !ctx.activityConflict;
  const tags = $("tags");
  tags.replaceChildren();
  $("tag-input").disabled = !a;
  if (!a) {
    $("activity-summary").textContent = "Activité en cours de création…";
    return;
  }
  $("activity-summary").textContent = kindLabel(a.kind) + (a.agent_name ? " avec " + a.agent_name : "") + (a.started_at ? ", commencée le " + date(a.started_at) : "");
  for (const t of a.tags || []) {
    const li = el("li", "tag");
    li.append(el("span", "", t));
    const x = button("×", "", () => removeTag(ctx, t));
    x.setAttribute("aria-label", "Retirer le tag « " + t + " »");
    li.append(x);
    tags.append(li);
  }
  $("tag-error").textContent = ctx.tagError || "";
  counter($("tag-count"), $("tag-input").value, TAG_MAX);
}

function renderJourney(ctx) {
  const list = $("journey");
  list.replaceChildren();
  let requests = (ctx.journey || []).map((r) => (ctx.request && r.id === ctx.request.id ? { ...r, ...ctx.request, activities: r.activities } : r));
  if (ctx.active && ctx.request && !requests.some((r) => r.id === ctx.request.id)) {
    requests = [{ ...ctx.request, activities: ctx.activity ? [ctx.activity] : [] }, ...requests];
  }
  $("journey-empty").hidden = requests.length > 0 || !ctx.loaded;
  for (const r of requests) {
    const li = el("li");
    if (ctx.request && r.id === ctx.request.id) li.classList.add("current");
    li.append(journeyButton(ctx, "req", { kind: "request", record: r }, r.title || "Demande", statusLabel(r.status), r.status));
    const acts = el("ul");
    for (let a of r.activities || []) {
      if (ctx.activity && a.id === ctx.activity.id) a = ctx.activity;
      const when = date(a.started_at);
      const li2 = el("li");
      li2.append(journeyButton(ctx, "act", { kind: "activity", record: a }, kindLabel(a.kind) + (when ? " — " + when : ""), a.agent_name || "", ""));
      acts.append(li2);
    }
    if (acts.childElementCount) li.append(acts);
    list.append(li);
  }
  const sel = ctx.picked && findItem(requests, ctx.picked);
  showDetail(sel || null);
}

function findItem(requests, picked) {
  for (const r of requests) {
    if (picked.kind === "request" && r.id === picked.id) return { kind: "request", record: r };
    for (const a of r.activities || []) if (picked.kind === "activity" && a.id === picked.id) return { kind: "activity", record: a };
  }
  return null;
}

function journeyButton(ctx, cls, item, text, badge, status) {
  const b = button("", cls);
  b.append(el("span", "", text));
  if (badge) b.append(el("span", "badge" + (status === "open" ? " open" : ""), badge));
  const picked = ctx.picked && ctx.picked.kind === item.kind && ctx.picked.id === item.record.id;
  b.setAttribute("aria-pressed", String(!!picked));
  b.setAttribute("aria-controls", "journey-detail");
  b.addEventListener("click", () => {
    ctx.picked = picked ? null : { kind: item.kind, id: item.record.id };
    renderJourney(ctx);
    const again = [...$("journey").querySelectorAll("button")].find((x) => x.dataset.id === item.record.id);
    if (again) again.focus();
  });
  b.dataset.id = item.record.id;
  const peek = () => showDetail(item);
  const back = () => showDetail(ctx.picked && findItemIn(ctx));
  b.addEventListener("mouseenter", peek);
  b.addEventListener("focus", peek);
  b.addEventListener("mouseleave", back);
  b.addEventListener("blur", back);
  return b;
}

function findItemIn(ctx) {
  const reqs = [...(ctx.journey || [])];
  if (ctx.request && !reqs.some((r) => r.id === ctx.request.id)) reqs.push({ ...ctx.request, activities: ctx.activity ? [ctx.activity] : [] });
  return findItem(reqs, ctx.picked);
}

function showDetail(item) {
  const box = $("journey-detail");
  box.replaceChildren();
  box.hidden = !item;
  if (!item) return;
  const x = item.record;
  const dl = el("dl", "facts");
  const row = (k, v) => v && dl.append(el("dt", "", k), el("dd", "", v));
  if (item.kind === "request") {
    box.append(el("strong", "", x.title || "Demande"));
    row("Statut", statusLabel(x.status));
    row("Créée le", date(x.created_at));
    if (x.status === "closed") row("Fermée le", date(x.closed_at));
    row("Description", x.description);
    row("Activités", String((x.activities || []).length));
  } else {
    box.append(el("strong", "", kindLabel(x.kind)));
    row("Agent", x.agent_name);
    row("Début", date(x.started_at));
    row("Fin", date(x.ended_at));
    row("Motif", x.intent);
    row("Résumé", x.summary);
    row("Message", x.message);
    row("Tags", (x.tags || []).join(", "));
  }
  box.append(dl);
}

// ------------------------------------------------------------------ request

function wireRequest() {
  $("preview-pick").addEventListener("click", () => shown && hooks.pick(shown.task));
  $("request-icon").addEventListener("click", () => {
    if (!shown) return;
    shown.detailsOpen = !shown.detailsOpen;
    render();
  });
  $("request-title-btn").addEventListener("click", () => {
    if (!shown || !shown.request) return;
    shown.editingTitle = true;
    render();
    $("request-title").focus();
    $("request-title").select();
  });
  const ti = $("request-title");
  ti.addEventListener("input", () => {
    if (!shown) return;
    ensureDraft(shown).title = ti.value;
    counter($("request-title-count"), ti.value, TITLE_MAX);
    $("request-save").disabled = !requestDirty(shown);
  });
  ti.addEventListener("keydown", async (e) => {
    if (!shown) return;
    if (e.key === "Enter") {
      e.preventDefault();
      const ctx = shown;
      if (await saveRequest(ctx)) {
        ctx.editingTitle = false;
        render();
        $("request-title-btn").focus();
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      if (shown.draft) delete shown.draft.title;
      shown.editingTitle = false;
      render();
      $("request-title-btn").focus();
    }
  });
  ti.addEventListener("blur", () => {
    if (!shown || !shown.editingTitle || (shown.requestErrors && shown.requestErrors.title)) return;
    shown.editingTitle = false;
    render();
  });
  const desc = $("request-description");
  desc.addEventListener("input", () => {
    if (!shown) return;
    ensureDraft(shown).description = desc.value;
    shown.savedNote = "";
    $("request-saved").textContent = "";
    counter($("request-description-count"), desc.value, TEXT_MAX);
    $("request-save").disabled = !requestDirty(shown);
  });
  $("request-save").addEventListener("click", () => shown && saveRequest(shown));
  $("request-load").addEventListener("click", () => {
    const ctx = shown;
    if (!ctx || !ctx.requestConflict) return;
    ctx.request = ctx.requestConflict;
    ctx.requestConflict = null;
    ctx.draft = null;
    ctx.requestErrors = {};
    ctx.savedNote = "Version actuelle chargée.";
    render();
    $("request-title-btn").focus();
  });
  $("request-toggle-status").addEventListener("click", async () => {
    const ctx = shown;
    if (!ctx || !ctx.request) return;
    const status = ctx.request.status === "closed" ? "open" : "closed";
    const res = await api("PATCH", "/requests/" + encodeURIComponent(ctx.request.id), { body: { status }, version: ctx.request.version });
    afterRequestWrite(ctx, res, false);
  });
}

// saveRequest sends the request's draft (the fields changed only); true when saved.
async function saveRequest(ctx) {
  if (!ctx.request || ctx.savingRequest) return false;
  if (!requestDirty(ctx)) {
    ctx.draft = null;
    return true;
  }
  const d = ctx.draft, body = {}, errs = {};
  if (d.title !== undefined && d.title !== ctx.request.title) {
    body.title = d.title.trim();
    if (!body.title) errs.title = "Le titre est obligatoire.";
    else if (chars(body.title) > TITLE_MAX) errs.title = tooLong(TITLE_MAX, chars(body.title));
  }
  if (d.description !== undefined && d.description !== (ctx.request.description || "")) {
    body.description = d.description;
    const n = chars(d.description.trim()); // the server trims, then counts
    if (n > TEXT_MAX) errs.description = tooLong(TEXT_MAX, n);
  }
  ctx.requestErrors = errs;
  if (Object.keys(errs).length) {
    render();
    (errs.title ? $("request-title") : $("request-description")).focus();
    return false;
  }
  ctx.savingRequest = true;
  render();
  const res = await api("PATCH", "/requests/" + encodeURIComponent(ctx.request.id), { body, version: d.base });
  ctx.savingRequest = false;
  return afterRequestWrite(ctx, res, true);
}

function afterRequestWrite(ctx, res, fromDraft) {
  ctx.requestErrors = {};
  ctx.savedNote = "";
  if (res.ok) {
    ctx.request = res.data;
    if (fromDraft) ctx.draft = null;
    else if (ctx.draft) ctx.draft.base = res.data.version;
    ctx.requestConflict = null;
    ctx.savedNote = "Demande enregistrée.";
  } else if (isConflict(res)) {
    ctx.requestConflict = res.current || null;
    if (!ctx.requestConflict) ctx.requestErrors._ = CONFLICT + " Rechargez le dossier.";
  } else if (res.fields) {
    ctx.requestErrors = { ...res.fields };
    if (!res.fields.title && !res.fields.description) ctx.requestErrors._ = res.error.message;
  } else {
    ctx.requestErrors = { _: res.error.message };
  }
  if (ctx === shown) render();
  return res.ok;
}

// --------------------------------------------------------------------- tags

function wireTags() {
  const input = $("tag-input");
  input.addEventListener("input", () => {
    counter($("tag-count"), input.value, TAG_MAX);
    if (shown && shown.tagError) {
      shown.tagError = "";
      $("tag-error").textContent = "";
      input.removeAttribute("aria-invalid");
    }
  });
  input.addEventListener("keydown", (e) => {
    const create = e.key === "Enter" || (e.key === "Tab" && !e.shiftKey);
    if (!create || !input.value.trim() || !shown) return;
    e.preventDefault();
    addTag(shown, input.value);
  });
  $("activity-load").addEventListener("click", () => {
    const ctx = shown;
    if (!ctx || !ctx.activityConflict) return;
    ctx.activity = ctx.activityConflict;
    ctx.activityConflict = null;
    ctx.tagError = "";
    render();
    $("tag-input").focus();
  });
}

function tagRefused(ctx, msg) {
  ctx.tagError = msg;
  $("tag-error").textContent = msg;
  if (msg) $("tag-input").setAttribute("aria-invalid", "true");
}

async function addTag(ctx, value) {
  const a = ctx.activity;
  if (!a || ctx.taggingBusy) return;
  const tag = value.trim();
  const n = chars(tag);
  if (n > TAG_MAX) return tagRefused(ctx, tooLong(TAG_MAX, n));
  if ((a.tags || []).some((t) => foldTag(t) === foldTag(tag))) return tagRefused(ctx, DUPLICATE_TAG);
  if ((a.tags || []).length >= TAGS_PER_ACTIVITY) return tagRefused(ctx, TAGS_PER_ACTIVITY + " tags au plus sur une activité.");
  ctx.taggingBusy = true;
  const res = await api("POST", "/activities/" + encodeURIComponent(a.id) + "/tags", { body: { tag }, version: a.version });
  ctx.taggingBusy = false;
  if (res.ok) {
    ctx.activity = res.data;
    ctx.tagError = "";
    if (ctx === shown) {
      $("tag-input").value = "";
      $("tag-input").removeAttribute("aria-invalid");
    }
  } else if (isConflict(res)) {
    ctx.activityConflict = res.current || null;
    ctx.tagError = CONFLICT + " Chargez la version actuelle puis ajoutez le tag.";
  } else {
    ctx.tagError = (res.fields && res.fields.tag) || res.error.message;
  }
  if (ctx === shown) {
    render();
    if (ctx.tagError) $("tag-input").setAttribute("aria-invalid", "true");
  }
}

async function removeTag(ctx, tag) {
  const a = ctx.activity;
  if (!a) return;
  const res = await api("DELETE", "/activities/" + encodeURIComponent(a.id) + "/tags/" + encodeURIComponent(tag), { version: a.version });
  if (res.ok) {
    ctx.activity = res.data;
    ctx.tagError = "";
  } else if (isConflict(res)) {
    ctx.activityConflict = res.current || null;
    ctx.tagError = CONFLICT;
  } else {
    ctx.tagError = res.error.message;
  }
  if (ctx === shown) {
    render();
    $("tag-input").focus();
  }
}

// ----------------------------------------------------------- customer form

// dlg is the customer form's state: {ctx, mode: create|view|edit, base, conflict, closing}.
let dlg = null;

const field = (name) => $("cf-" + name);

function formValues() {
  const v = {};
  for (const f of CUSTOMER_FIELDS) v[f] = field(f).value;
  return v;
}

function fillForm(values) {
  for (const f of CUSTOMER_FIELDS) {
    const v = values[f];
    field(f).value = f === "language" ? v || "fr" : v || "";
  }
  updateCounters();
}

function updateCounters() {
  for (const f of CUSTOMER_FIELDS) {
    const c = $("cf-" + f + "-count");
    if (c) counter(c, field(f).value, Number(field(f).dataset.max));
  }
}

function setFormErrors(errs, message) {
  for (const f of CUSTOMER_FIELDS) showFieldError(field(f), $("cf-" + f + "-error"), errs[f]);
  $("customer-form-error").textContent = message || "";
}

function customerDraftDirty(ctx) {
  const d = ctx.customerDraft;
  if (!d) return false;
  const base = d.mode === "create" ? { language: "fr" } : ctx.customer || {};
  return CUSTOMER_FIELDS.some((f) => (d.values[f] || "") !== (base[f] || (f === "language" ? "fr" : "")));
}

// openCustomer opens the customer information form for ctx's interaction.
export function openCustomer(ctx, closing = false) {
  if (!ctx || (!ctx.customer && !ctx.active)) return;
  const d = ctx.customerDraft;
  if (d && (d.mode === "create" ? !ctx.customer : ctx.customer)) {
    dlg = { ctx, mode: d.mode, base: d.base, conflict: d.conflict || null, closing };
    fillForm(d.values);
  } else {
    ctx.customerDraft = null;
    dlg = { ctx, mode: ctx.customer ? "view" : "create", base: ctx.customer ? ctx.customer.version : 0, conflict: null, closing };
    fillForm(ctx.customer || {});
  }
  setFormErrors({}, "");
  $("customer-search").value = "";
  $("customer-search-box").open = false;
  $("customer-results").replaceChildren();
  $("customer-search-status").textContent = "";
  renderDialog();
  $("customer-dialog").showModal();
  (dlg.mode === "view" ? $("customer-edit") : field("name")).focus();
}

function renderDialog() {
  const m = dlg.mode;
  $("customer-dialog-title").textContent = m === "create" ? "Nouveau client" : m === "edit" ? "Modifier le client" : "Informations du client";
  for (const f of CUSTOMER_FIELDS) {
    const input = field(f);
    if (f === "language") input.disabled = m === "view";
    else input.readOnly = m === "view";
  }
  $("customer-create").hidden = m !== "create";
  $("customer-edit").hidden = m !== "view";
  $("customer-save").hidden = m !== "edit";
  $("customer-cancel").textContent = m === "edit" ? "Annuler" : "Fermer la fiche";
  $("customer-conflict").hidden = !dlg.conflict;
  $("customer-search-form").hidden = !(m === "create" && dlg.ctx.active);
}

function wireCustomerDialog() {
  for (const b of [$("customer-name"), $("conv-customer")]) b.addEventListener("click", () => openCustomer(shown));
  $("customer-form").addEventListener("input", () => {
    updateCounters();
    if (dlg) $("customer-form-error").textContent = "";
  });
  $("customer-edit").addEventListener("click", () => {
    dlg.mode = "edit";
    dlg.base = dlg.ctx.customer.version;
    renderDialog();
    field("name").focus();
  });
  $("customer-cancel").addEventListener("click", () => {
    if (dlg && dlg.mode === "edit") {
      // Annuler: back to the record as loaded.
      dlg.ctx.customerDraft = null;
      dlg.mode = "view";
      dlg.conflict = null;
      fillForm(dlg.ctx.customer);
      setFormErrors({}, "");
      renderDialog();
      $("customer-edit").focus();
      return;
    }
    $("customer-dialog").close();
  });
  $("customer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (dlg && (dlg.mode === "create" || dlg.mode === "edit")) submitCustomer();
  });
  $("customer-load").addEventListener("click", () => {
    if (!dlg || !dlg.conflict) return;
    const cur = dlg.conflict;
    dlg.ctx.customer = cur;
    dlg.base = cur.version;
    dlg.conflict = null;
    fillForm(cur);
    setFormErrors({}, "Version actuelle chargée : reprenez vos modifications puis enregistrez.");
    renderDialog();
    renderIfShown(dlg.ctx);
    field("name").focus();
  });
  $("customer-dialog").addEventListener("close", () => {
    if (!dlg) return;
    const ctx = dlg.ctx;
    // Unsaved edits stay with the interaction: Fermer asks what to do with them.
    if (dlg.mode !== "view" && !dlg.done) {
      ctx.customerDraft = { mode: dlg.mode, values: formValues(), base: dlg.base, conflict: dlg.conflict };
      if (!customerDraftDirty(ctx)) ctx.customerDraft = null;
    }
    const wasClosing = dlg.closing && !dlg.done;
    dlg = null;
    renderIfShown(ctx);
    if (wasClosing) cancelClosing();
  });
  $("customer-search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    searchCustomers();
  });
}

function renderIfShown(ctx) {
  if (ctx === shown) render();
  hooks.changed(ctx);
}

// saveCustomer writes a customer draft: creation (linking the interaction) or update.
async function saveCustomer(ctx, mode, values, base) {
  const body = {};
  for (const f of CUSTOMER_FIELDS) body[f] = f === "language" ? values[f] : values[f].trim();
  if (mode === "create") {
    if (ctx.messageId) body.message_id = ctx.messageId;
    else body.conversation_id = ctx.convId;
    return api("POST", "/customers", { body });
  }
  return api("PUT", "/customers/" + encodeURIComponent(ctx.customer.id), { body, version: base });
}

async function submitCustomer() {
  const d = dlg;
  const values = formValues();
  const errs = checkCustomer(values);
  if (Object.keys(errs).length) {
    setFormErrors(errs, "Corrigez les champs signalés.");
    field(CUSTOMER_FIELDS.find((f) => errs[f])).focus();
    return;
  }
  setFormErrors({}, "");
  if (d.busy) return;
  d.busy = true;
  const res = await saveCustomer(d.ctx, d.mode, values, d.base);
  d.busy = false;
  if (dlg !== d) return;
  if (res.ok) {
    d.ctx.customer = res.data;
    d.ctx.customerDraft = null;
    d.done = true;
    const closing = d.closing;
    const created = d.mode === "create";
    $("customer-dialog").close();
    if (created) await load(d.ctx);
    $("records-status").textContent = created ? "Client créé et associé à l'interaction." : "Fiche client enregistrée.";
    if (closing) continueClosing();
    return;
  }
  customerFailure(d, res);
}

function customerFailure(d, res) {
  if (isConflict(res) && res.current) {
    d.conflict = res.current;
    renderDialog();
    setFormErrors({}, "");
    $("customer-load").focus();
    return;
  }
  const errs = res.fields || {};
  setFormErrors(errs, res.error.message);
  const first = CUSTOMER_FIELDS.find((f) => errs[f]);
  if (first) field(first).focus();
}

async function searchCustomers() {
  const q = $("customer-search").value.trim();
  const status = $("customer-search-status");
  const list = $("customer-results");
  list.replaceChildren();
  if (!q) {
    status.textContent = "Saisissez un e-mail, un téléphone ou un numéro de compte.";
    return;
  }
  status.textContent = "Recherche…";
  const res = await api("GET", "/customers?q=" + encodeURIComponent(q));
  if (!res.ok) {
    status.textContent = res.error.message;
    return;
  }
  const found = (res.data && res.data.customers) || [];
  status.textContent = found.length ? found.length + " client(s) trouvé(s)." : "Aucun client trouvé.";
  for (const c of found) {
    const li = el("li");
    li.append(el("span", "", [c.name, c.email, c.phone, c.account_number].filter(Boolean).join(" — ")));
    const b = button("Associer", "", () => linkCustomer(c));
    b.setAttribute("aria-label", "Associer " + c.name + " à l'interaction");
    li.append(b);
    list.append(li);
  }
}

async function linkCustomer(c) {
  const d = dlg;
  if (!d) return;
  const res = await api("POST", contextPath(d.ctx) + "/customer", { body: { customer_id: c.id } });
  if (!res.ok) {
    $("customer-search-status").textContent = res.error.message;
    return;
  }
  d.ctx.customer = (res.data && res.data.customer) || c;
  d.ctx.customerDraft = null;
  d.done = true;
  const closing = d.closing;
  $("customer-dialog").close();
  await load(d.ctx);
  $("records-status").textContent = "Client associé à l'interaction.";
  if (closing) continueClosing();
}

// ----------------------------------------------------------------- closing

// closing is the close in progress: {ctx, done}. Fermer asks, in order: what to do with
// unsaved changes, then whether to create a customer when none is linked.
let closing = null;

export function requestClose(convId, done) {
  const ctx = ctxs.get(convId);
  if (!ctx) return done();
  closing = { ctx, done };
  continueClosing();
}

function pendingChanges(ctx) {
  const what = [];
  if (requestDirty(ctx)) what.push("la demande");
  if (customerDraftDirty(ctx)) what.push("la fiche client");
  return what;
}

function askClose(text, buttons) {
  const d = $("close-dialog");
  $("close-dialog-text").textContent = text;
  $("close-dialog-error").textContent = "";
  for (const id of ["close-save", "close-discard", "close-create", "close-quit"]) $(id).hidden = !buttons.includes(id);
  if (!d.open) d.showModal();
  $(buttons[0]).focus();
}

function continueClosing() {
  if (!closing) return;
  const ctx = closing.ctx;
  const pending = pendingChanges(ctx);
  if (pending.length) {
    askClose("Vous avez des modifications non enregistrées (" + pending.join(" et ") + "). Voulez-vous les enregistrer ou les abandonner ?", ["close-save", "close-discard"]);
    return;
  }
  if (!ctx.customer && !ctx.task.customer_id) {
    askClose("Aucun client n'est associé à cette interaction. Voulez-vous créer un nouveau client, ou quitter sans créer de client ?", ["close-create", "close-quit"]);
    return;
  }
  finishClosing();
}

function finishClosing() {
  const c = closing;
  closing = null;
  if ($("close-dialog").open) $("close-dialog").close();
  c.done();
}

function cancelClosing() {
  closing = null;
  if ($("close-dialog").open) $("close-dialog").close();
}

function wireCloseDialog() {
  $("close-cancel").addEventListener("click", cancelClosing);
  $("close-dialog").addEventListener("cancel", () => (closing = null));
  $("close-discard").addEventListener("click", () => {
    const ctx = closing.ctx;
    ctx.draft = null;
    ctx.customerDraft = null;
    ctx.requestErrors = {};
    ctx.editingTitle = false;
    renderIfShown(ctx);
    continueClosing();
  });
  $("close-save").addEventListener("click", async () => {
    const ctx = closing.ctx;
    const failed = [];
    if (requestDirty(ctx) && !(await saveRequest(ctx))) failed.push("la demande : " + (ctx.requestConflict ? CONFLICT : Object.values(ctx.requestErrors).join(" ")));
    if (customerDraftDirty(ctx)) {
      const d = ctx.customerDraft;
      const errs = checkCustomer(d.values);
      const res = Object.keys(errs).length ? null : await saveCustomer(ctx, d.mode, d.values, d.base);
      if (res && res.ok) {
        ctx.customer = res.data;
        ctx.customerDraft = null;
        if (d.mode === "create") await load(ctx);
      } else {
        if (res && isConflict(res)) d.conflict = res.current;
        failed.push("la fiche client : " + (res ? (isConflict(res) ? CONFLICT : res.error.message) : Object.values(errs).join(" ")));
      }
    }
    renderIfShown(ctx);
    if (failed.length) {
      $("close-dialog-error").textContent = "Enregistrement impossible — " + failed.join(" ; ") + " Corrigez puis fermez à nouveau.";
      return;
    }
    continueClosing();
  });
  $("close-create").addEventListener("click", () => {
    const ctx = closing.ctx;
    $("close-dialog").close();
    openCustomer(ctx, true);
  });
  $("close-quit").addEventListener("click", finishClosing);
}
