/*
 * Relais desk — the interaction's request (docs/desk.md): its title (edited in place: Enter
 * saves, Escape gives up), description, status (Clore / Rouvrir) and details. The agent's
 * edits are a draft, saved with If-Match on the version they were made on; a 409 conflict
 * shows « Modifié par un autre agent. » with « Charger ».
 */
import { $, el, chars, serverTrim, counter, tooLong, date, api, isConflict, CONFLICT, showFieldError, showMine, statusLabel, limits } from "./desk-util.js";
import { shown, render } from "./desk-context.js";

export function requestDirty(ctx) {
  const d = ctx.draft, r = ctx.request;
  if (!d || !r) return false;
  return titleEdited(ctx) || (d.description !== undefined && d.description !== (r.description || ""));
}

const titleEdited = (ctx) => !!(ctx.draft && ctx.draft.title !== undefined && ctx.draft.title !== ctx.request.title);

function ensureDraft(ctx) {
  if (!ctx.draft) ctx.draft = { requestId: ctx.request.id, base: ctx.request.version };
  return ctx.draft;
}

const draftTitle = (ctx) => (ctx.draft && ctx.draft.title !== undefined ? ctx.draft.title : ctx.request.title);
const draftDescription = (ctx) => (ctx.draft && ctx.draft.description !== undefined ? ctx.draft.description : ctx.request.description || "");

// ------------------------------------------------------------------- render

export function renderRequest(ctx) {
  $("request-conflict").hidden = !ctx.requestConflict;
  renderMine(ctx);
  renderDetails(ctx);
  renderTitle(ctx);
  renderDescription(ctx);
  const errs = ctx.requestErrors || {};
  showFieldError($("request-title"), $("request-title-error"), errs.title);
  showFieldError($("request-description"), $("request-description-error"), errs.description || errs._);
  $("request-save").disabled = !requestDirty(ctx) || !!ctx.savingRequest;
  $("request-saved").textContent = ctx.savedNote || "";
}

// renderMine shows what the agent had typed before Charger took the other agent's version.
function renderMine(ctx) {
  const mine = ctx.requestMine || {};
  const entries = [];
  if (mine.title !== undefined) entries.push({ field: "title", label: "Titre", text: mine.title, take: () => takeMine(ctx, "title") });
  if (mine.description !== undefined) entries.push({ field: "description", label: "Description", text: mine.description, take: () => takeMine(ctx, "description") });
  showMine($("request-mine"), $("request-mine-list"), entries);
}

function takeMine(ctx, field) {
  if (!ctx.requestMine || ctx.requestMine[field] === undefined || !ctx.request) return;
  ensureDraft(ctx)[field] = ctx.requestMine[field];
  ctx.savedNote = "";
  if (field === "title") ctx.editingTitle = true;
  render();
  $(field === "title" ? "request-title" : "request-description").focus();
}

function renderDetails(ctx) {
  const r = ctx.request;
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
}

function renderTitle(ctx) {
  const title = draftTitle(ctx);
  const tb = $("request-title-btn"), ti = $("request-title");
  tb.hidden = !!ctx.editingTitle;
  ti.hidden = !ctx.editingTitle;
  tb.textContent = title;
  tb.classList.toggle("dirty", titleEdited(ctx));
  if (ti.value !== title) ti.value = title;
  $("request-title-count").hidden = !ctx.editingTitle;
  counter($("request-title-count"), title, limits.title);
}

function renderDescription(ctx) {
  const desc = $("request-description");
  const d = draftDescription(ctx);
  if (desc.value !== d) desc.value = d;
  counter($("request-description-count"), d, limits.text);
}

// --------------------------------------------------------------------- wire

export function wireRequest() {
  $("request-icon").addEventListener("click", toggleDetails);
  $("request-title-btn").addEventListener("click", editTitle);
  wireTitle();
  wireDescription();
  $("request-save").addEventListener("click", () => shown && saveRequest(shown));
  $("request-load").addEventListener("click", loadCurrentRequest);
  $("request-mine-close").addEventListener("click", () => {
    if (!shown) return;
    shown.requestMine = null;
    render();
    $("request-save").disabled ? $("request-description").focus() : $("request-save").focus();
  });
  $("request-toggle-status").addEventListener("click", toggleStatus);
}

function toggleDetails() {
  if (!shown) return;
  shown.detailsOpen = !shown.detailsOpen;
  render();
}

function editTitle() {
  if (!shown || !shown.request) return;
  shown.editingTitle = true;
  render();
  $("request-title").focus();
  $("request-title").select();
}

function wireTitle() {
  const ti = $("request-title");
  ti.addEventListener("input", () => {
    if (!shown) return;
    ensureDraft(shown).title = ti.value;
    shown.savedNote = ""; // « Demande enregistrée » is no longer true
    $("request-saved").textContent = "";
    counter($("request-title-count"), ti.value, limits.title);
    $("request-save").disabled = !requestDirty(shown);
  });
  ti.addEventListener("keydown", (e) => {
    if (!shown) return;
    if (e.key === "Enter") {
      e.preventDefault();
      saveTitle(shown);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      abandonTitle(shown);
    }
  });
  ti.addEventListener("blur", () => {
    if (!shown || !shown.editingTitle || (shown.requestErrors && shown.requestErrors.title)) return;
    shown.editingTitle = false;
    render();
  });
}

async function saveTitle(ctx) {
  if (!(await saveRequest(ctx))) return;
  ctx.editingTitle = false;
  render();
  $("request-title-btn").focus();
}

function abandonTitle(ctx) {
  if (ctx.draft) delete ctx.draft.title;
  ctx.editingTitle = false;
  render();
  $("request-title-btn").focus();
}

function wireDescription() {
  const desc = $("request-description");
  desc.addEventListener("input", () => {
    if (!shown) return;
    ensureDraft(shown).description = desc.value;
    shown.savedNote = "";
    $("request-saved").textContent = "";
    counter($("request-description-count"), desc.value, limits.text);
    $("request-save").disabled = !requestDirty(shown);
  });
}

function loadCurrentRequest() {
  const ctx = shown;
  if (!ctx || !ctx.requestConflict) return;
  // The agent's own text is kept in sight (« Votre version ») to merge from, never dropped.
  const cur = ctx.requestConflict, was = ctx.request, d = ctx.draft, mine = {};
  for (const f of ["title", "description"]) {
    const v = d && d[f];
    if (v !== undefined && v !== (was[f] || "") && v !== (cur[f] || "")) mine[f] = v;
  }
  ctx.requestMine = Object.keys(mine).length ? mine : null;
  ctx.request = cur;
  ctx.requestConflict = null;
  ctx.draft = null;
  ctx.requestErrors = {};
  ctx.savedNote = ctx.requestMine ? "Version actuelle chargée : votre version reste affichée au-dessus." : "Version actuelle chargée.";
  render();
  $("request-title-btn").focus();
}

async function toggleStatus() {
  const ctx = shown;
  if (!ctx || !ctx.request) return;
  await setStatus(ctx, ctx.request.status === "closed" ? "open" : "closed");
}

// ------------------------------------------------------------------ writing

// setStatus opens or closes ctx's request; true when done.
async function setStatus(ctx, status) {
  const res = await api("PATCH", "/requests/" + encodeURIComponent(ctx.request.id), { body: { status }, version: ctx.request.version });
  return afterRequestWrite(ctx, res, false);
}

// closeRequest saves ctx's unsaved request edits, then closes the request; true when closed.
export async function closeRequest(ctx) {
  if (!ctx || !ctx.request) return false;
  if (requestDirty(ctx) && !(await saveRequest(ctx))) return false;
  return setStatus(ctx, "closed");
}

// checkDraft returns the body to send for ctx's draft (the fields changed only) and its
// errors, checked as the server does.
function checkDraft(ctx) {
  const d = ctx.draft, body = {}, errs = {};
  if (d.title !== undefined && d.title !== ctx.request.title) {
    body.title = serverTrim(d.title);
    if (!body.title) errs.title = "Le titre est obligatoire.";
    else if (chars(body.title) > limits.title) errs.title = tooLong(limits.title, chars(body.title));
  }
  if (d.description !== undefined && d.description !== (ctx.request.description || "")) {
    body.description = d.description;
    const n = chars(serverTrim(d.description)); // the server trims, then counts
    if (n > limits.text) errs.description = tooLong(limits.text, n);
  }
  return { body, errs };
}

// saveRequest sends the request's draft (the fields changed only); true when saved.
export async function saveRequest(ctx) {
  if (!ctx.request || ctx.savingRequest) return false;
  if (!requestDirty(ctx)) {
    ctx.draft = null;
    return true;
  }
  const { body, errs } = checkDraft(ctx);
  ctx.requestErrors = errs;
  if (Object.keys(errs).length) {
    render();
    (errs.title ? $("request-title") : $("request-description")).focus();
    return false;
  }
  ctx.savingRequest = true;
  render();
  const res = await api("PATCH", "/requests/" + encodeURIComponent(ctx.request.id), { body, version: ctx.draft.base });
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
