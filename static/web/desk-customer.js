/*
 * Relais desk — the interaction's customer (docs/desk.md): the card in the records panel, the
 * customer information form (create, view, edit; unsaved edits stay with the interaction),
 * and the search that links an existing customer. Updates send If-Match; a 409 conflict
 * shows « Modifié par un autre agent. » with « Charger ».
 */
import { $, el, button, counter, serverTrim, api, isConflict, showFieldError, showMine, checkCustomer, CUSTOMER_FIELDS, LANGUAGES, limits } from "./desk-util.js";
import { shown, load, contextPath, renderIfShown } from "./desk-context.js";

// ------------------------------------------------------------------- card

export function renderCustomer(ctx) {
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

// customerDraftDirty says whether ctx holds unsaved customer edits.
export function customerDraftDirty(ctx) {
  const d = ctx.customerDraft;
  if (!d) return false;
  const base = d.mode === "create" ? { language: "fr" } : ctx.customer || {};
  return CUSTOMER_FIELDS.some((f) => (d.values[f] || "") !== (base[f] || (f === "language" ? "fr" : "")));
}

// ------------------------------------------------------------------- form

// dlg is the customer form's state: {ctx, mode: create|view|edit, base, conflict, closing,
// busy, done}; closing, during Fermer, is {proceed, cancel}.
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
    if (c) counter(c, field(f).value, limits[field(f).dataset.limit]);
  }
}

function setFormErrors(errs, message) {
  for (const f of CUSTOMER_FIELDS) showFieldError(field(f), $("cf-" + f + "-error"), errs[f]);
  $("customer-form-error").textContent = message || "";
}

// openCustomer opens the customer information form for ctx's interaction; closing, when
// Fermer asked for it, is {proceed, cancel}: what to do once it is saved, or given up.
export function openCustomer(ctx, closing = null) {
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
  clearSearch();
  renderDialog();
  renderMine();
  $("customer-dialog").showModal();
  (dlg.mode === "view" ? $("customer-edit") : field("name")).focus();
}

function clearSearch() {
  $("customer-search").value = "";
  $("customer-search-box").open = false;
  $("customer-results").replaceChildren();
  $("customer-search-status").textContent = "";
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

export function wireCustomerDialog() {
  for (const b of [$("customer-name"), $("conv-customer")]) b.addEventListener("click", () => openCustomer(shown));
  $("customer-form").addEventListener("input", () => {
    updateCounters();
    if (dlg) $("customer-form-error").textContent = "";
  });
  $("customer-edit").addEventListener("click", editCustomer);
  $("customer-cancel").addEventListener("click", cancelForm);
  $("customer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (dlg && (dlg.mode === "create" || dlg.mode === "edit")) submitCustomer();
  });
  $("customer-load").addEventListener("click", loadCurrentCustomer);
  $("customer-mine-close").addEventListener("click", () => {
    if (!dlg) return;
    dlg.ctx.customerMine = null;
    renderMine();
    field("name").focus();
  });
  $("customer-dialog").addEventListener("close", formClosed);
  $("customer-search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    searchCustomers();
  });
}

function editCustomer() {
  dlg.mode = "edit";
  dlg.base = dlg.ctx.customer.version;
  renderDialog();
  field("name").focus();
}

// cancelForm is Annuler (back to the record as loaded) while editing, Fermer la fiche otherwise.
function cancelForm() {
  if (!dlg || dlg.mode !== "edit") {
    $("customer-dialog").close();
    return;
  }
  dlg.ctx.customerDraft = null;
  dlg.mode = "view";
  dlg.conflict = null;
  fillForm(dlg.ctx.customer);
  setFormErrors({}, "");
  renderDialog();
  $("customer-edit").focus();
}

function loadCurrentCustomer() {
  if (!dlg || !dlg.conflict) return;
  const cur = dlg.conflict;
  // What the agent typed stays in sight (« Votre version »), to merge into the current one.
  const typed = formValues();
  dlg.ctx.customerMine = {};
  const was = dlg.ctx.customer || {}; // the version the agent edited
  const value = (c, f) => c[f] || (f === "language" ? "fr" : "");
  for (const f of CUSTOMER_FIELDS) {
    if (value(typed, f) !== value(was, f) && value(typed, f) !== value(cur, f)) dlg.ctx.customerMine[f] = typed[f];
  }
  dlg.ctx.customer = cur;
  dlg.base = cur.version;
  dlg.conflict = null;
  fillForm(cur);
  renderMine();
  setFormErrors({}, Object.keys(dlg.ctx.customerMine).length
    ? "Version actuelle chargée. Votre version est affichée au-dessus : reprenez-en ce qu'il faut garder, puis enregistrez."
    : "Version actuelle chargée : reprenez vos modifications puis enregistrez.");
  renderDialog();
  renderIfShown(dlg.ctx);
  field("name").focus();
}

const FIELD_LABELS = { name: "Nom", email: "E-mail", phone: "Téléphone", address: "Adresse postale", account_number: "Numéro de compte", language: "Langue préférée", notes: "Notes" };

// renderMine shows the agent's values from before Charger (none outside a conflict).
function renderMine() {
  const mine = (dlg && dlg.ctx.customerMine) || {};
  const entries = CUSTOMER_FIELDS.filter((f) => mine[f] !== undefined).map((f) => ({
    field: f,
    label: FIELD_LABELS[f],
    text: f === "language" ? LANGUAGES[mine[f]] || mine[f] : mine[f],
    take: () => {
      field(f).value = mine[f];
      updateCounters();
      field(f).focus();
    },
  }));
  showMine($("customer-mine"), $("customer-mine-list"), entries);
}

function formClosed() {
  if (!dlg) return;
  const ctx = dlg.ctx;
  // Unsaved edits stay with the interaction: Fermer asks what to do with them.
  if (dlg.mode !== "view" && !dlg.done) {
    ctx.customerDraft = { mode: dlg.mode, values: formValues(), base: dlg.base, conflict: dlg.conflict };
    if (!customerDraftDirty(ctx)) ctx.customerDraft = null;
  }
  const givenUp = !dlg.done && dlg.closing;
  dlg = null;
  renderIfShown(ctx);
  if (givenUp) givenUp.cancel();
}

// ----------------------------------------------------------------- saving

// saveCustomer writes a customer draft: creation (linking the interaction) or update.
export async function saveCustomer(ctx, mode, values, base) {
  const body = {};
  for (const f of CUSTOMER_FIELDS) body[f] = f === "language" ? values[f] : serverTrim(values[f]);
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
  if (!res.ok) return customerFailure(d, res);
  const created = d.mode === "create";
  await customerSettled(d, res.data, created, created ? "Client créé et associé à l'interaction." : "Fiche client enregistrée.");
}

// customerSettled closes the form once ctx's customer is saved or linked, reloads the
// records when the interaction's customer changed, then goes on with Fermer.
async function customerSettled(d, customer, linked, note) {
  d.ctx.customer = customer;
  d.ctx.customerDraft = null;
  d.ctx.customerMine = null; // merged and saved
  d.done = true;
  $("customer-dialog").close();
  if (linked) await load(d.ctx);
  $("records-status").textContent = note;
  if (d.closing) d.closing.proceed();
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

// ----------------------------------------------------------------- search

async function searchCustomers() {
  const q = $("customer-search").value.trim();
  const status = $("customer-search-status");
  const list = $("customer-results");
  list.replaceChildren();
  if (!q) {
    status.textContent = "Saisissez un nom, un e-mail, un téléphone ou un numéro de compte.";
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
  list.append(...found.map(resultItem));
}

function resultItem(c) {
  const li = el("li");
  li.append(el("span", "", [c.name, c.email, c.phone, c.account_number].filter(Boolean).join(" — ")));
  const b = button("Associer", "", () => linkCustomer(c));
  b.setAttribute("aria-label", "Associer " + c.name + " à l'interaction");
  li.append(b);
  return li;
}

async function linkCustomer(c) {
  const d = dlg;
  if (!d) return;
  const res = await api("POST", contextPath(d.ctx) + "/customer", { body: { customer_id: c.id } });
  if (!res.ok) {
    $("customer-search-status").textContent = res.error.message;
    return;
  }
  await customerSettled(d, (res.data && res.data.customer) || c, true, "Client associé à l'interaction.");
}
