/*
 * Relais desk — « Réponses types » (docs/desk.md): the canned replies every agent shares.
 * The header's « Réponses types » opens the library (create, edit, delete; each change sends
 * the reply's version in If-Match, a stale one is shown and the agent's text kept). In the
 * reply box, « / » at the start opens a list searched by what follows it; choosing a reply
 * (click, or ↑ ↓ then Entrée or Tab) puts its text in the box with {{client.nom}} and
 * {{agent.nom}} replaced: the customer record's name and the agent's own; an unknown customer's
 * name is removed with the comma and space before it (« Bonjour {{client.nom}}, » → « Bonjour, »,
 * « Merci, {{client.nom}} ! » → « Merci ! »). The
 * limits come from the server (limits.reply_name, limits.text). All text is set with
 * textContent.
 */
import { $, el, button, api, counter, serverTrim, foldTag, limits, loadLimits, isConflict } from "./desk-util.js";

let hooks = null; // {agentName, clientName}
let library = []; // the replies, as the server sorts them
let editing = null; // the reply being edited ({id, version}) or null for a new one
let confirmDelete = ""; // the id whose « Supprimer » was pressed once
let picked = 0; // the option highlighted in the list
let shownOptions = [];

// ------------------------------------------------------------------ variables

const VAR = (name) => new RegExp("\\{\\{\\s*" + name.replace(".", "\\.") + "\\s*\\}\\}", "g");

// fill replaces one variable by value, or removes it cleanly when value is "": the comma and
// spaces before it go, and a line it began loses the comma or colon after it.
function fill(text, name, value) {
  if (value) return text.replace(VAR(name), () => value); // a name is text, never a pattern ($&)
  return text.replace(new RegExp(",?[ \\t]*" + VAR(name).source, "g"), "")
    .replace(/^[ \t]*[,;:][ \t]*/gm, "")
    .replace(/^[ \t]+/gm, "");
}

// expand is a reply's text as it goes in the reply box.
export function expand(text, client, agent) {
  return fill(fill(String(text), "client.nom", client), "agent.nom", agent);
}

// ------------------------------------------------------------------ library

async function loadLibrary() {
  const res = await api("GET", "/replies");
  if (res.ok) library = (res.data && res.data.replies) || [];
  return res;
}

function showLibrary() {
  const list = $("replies-list");
  list.replaceChildren();
  for (const r of library) {
    const li = el("li");
    li.dataset.reply = r.id;
    const body = el("span", "reply-entry");
    body.append(el("strong", "", r.name), el("span", "reply-preview", r.text));
    const edit = button("Modifier", "", () => startEdit(r));
    edit.setAttribute("aria-label", "Modifier « " + r.name + " »");
    const del = button(confirmDelete === r.id ? "Confirmer la suppression" : "Supprimer", "danger", () => remove(r));
    del.setAttribute("aria-label", (confirmDelete === r.id ? "Confirmer la suppression de « " : "Supprimer « ") + r.name + " »");
    li.append(body, edit, del);
    list.append(li);
  }
  $("replies-empty").hidden = library.length > 0;
}

// showCounts shows the lengths against the server's limits (none while they are unknown).
function showCounts() {
  if (limits.reply_name) counter($("rf-name-count"), $("rf-name").value, limits.reply_name);
  counter($("rf-text-count"), $("rf-text").value, limits.text);
}

function resetForm() {
  editing = null;
  $("rf-name").value = "";
  $("rf-text").value = "";
  $("reply-form-title").textContent = "Nouvelle réponse type";
  $("rf-save").textContent = "Créer";
  $("rf-new").hidden = true;
  clearErrors();
  showCounts();
}

function clearErrors() {
  for (const id of ["rf-name-error", "rf-text-error", "reply-form-error"]) $(id).textContent = "";
  $("rf-name").removeAttribute("aria-invalid");
  $("rf-text").removeAttribute("aria-invalid");
}

function startEdit(r) {
  editing = { id: r.id, version: r.version };
  $("rf-name").value = r.name;
  $("rf-text").value = r.text;
  $("reply-form-title").textContent = "Modifier « " + r.name + " »";
  $("rf-save").textContent = "Enregistrer";
  $("rf-new").hidden = false;
  clearErrors();
  showCounts();
  $("rf-name").focus();
}

async function save() {
  clearErrors();
  const body = { name: serverTrim($("rf-name").value), text: serverTrim($("rf-text").value) };
  const res = editing
    ? await api("PUT", "/replies/" + encodeURIComponent(editing.id), { body, version: editing.version })
    : await api("POST", "/replies", { body });
  if (res.ok) {
    const name = res.data.name;
    resetForm();
    await loadLibrary();
    showLibrary();
    $("reply-form-error").textContent = "";
    $("replies-status").textContent = "« " + name + " » est enregistrée.";
    $("rf-name").focus();
    return;
  }
  if (isConflict(res) && res.current) {
    // Another agent changed it: their version is shown, the agent's text stays in the form.
    editing.version = res.current.version;
    $("reply-form-error").textContent = "Modifié par un autre agent. Sa version : « " + res.current.name + " » — « " +
      res.current.text + " ». Votre texte est gardé ci-dessous : « " + $("rf-save").textContent + " » le remplace.";
    await loadLibrary();
    showLibrary();
    return;
  }
  let shown = false; // a message beside its field says it all
  for (const [field, msg] of Object.entries(res.fields || {})) {
    const input = $("rf-" + field);
    if (!input) continue;
    $("rf-" + field + "-error").textContent = msg;
    input.setAttribute("aria-invalid", "true");
    shown = true;
  }
  if (!shown) $("reply-form-error").textContent = res.error.message;
}

async function remove(r) {
  if (confirmDelete !== r.id) {
    confirmDelete = r.id;
    showLibrary();
    $("replies-list").querySelector('li[data-reply="' + CSS.escape(r.id) + '"] .danger').focus();
    return;
  }
  confirmDelete = "";
  const res = await api("DELETE", "/replies/" + encodeURIComponent(r.id), { version: r.version });
  $("replies-status").textContent = res.ok ? "« " + r.name + " » est supprimée."
    : isConflict(res) ? "« " + r.name + " » a été modifiée par un autre agent entre-temps : relisez-la avant de la supprimer." : res.error.message;
  if (editing && editing.id === r.id && res.ok) resetForm();
  await loadLibrary();
  showLibrary();
}

async function openLibrary() {
  confirmDelete = "";
  if (!limits.reply_name) await loadLimits(); // the limit is the server's only: no copy here
  $("replies-status").textContent = "";
  const res = await loadLibrary();
  if (!res.ok) $("replies-status").textContent = res.error.message;
  showLibrary();
  showCounts();
  $("replies-dialog").showModal();
  $("rf-name").focus();
}

// ------------------------------------------------------------------ picker

const box = () => $("reply-text");
const query = () => {
  const v = box().value;
  return v.startsWith("/") && !v.includes("\n") ? v.slice(1) : null;
};
const isOpen = () => !$("reply-picker").hidden;

// matches ranks the replies for q: a name that starts with it, then a name, then a text that
// holds it (case and accents ignored).
function matches(q) {
  const f = foldTag(q);
  const rank = (r) => (foldTag(r.name).startsWith(f) ? 0 : foldTag(r.name).includes(f) ? 1 : foldTag(r.text).includes(f) ? 2 : 3);
  return library.map((r) => [rank(r), r]).filter(([k]) => k < 3).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}

function showPicker() {
  const q = query();
  if (q === null) return closePicker();
  shownOptions = matches(q);
  picked = Math.min(picked, Math.max(0, shownOptions.length - 1));
  const list = $("reply-picker-list");
  list.replaceChildren();
  shownOptions.forEach((r, i) => {
    const li = el("li", "reply-option");
    li.id = "reply-option-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(i === picked));
    li.append(el("strong", "", r.name), el("span", "reply-preview", expand(r.text, hooks.clientName(), hooks.agentName())));
    li.addEventListener("mousedown", (e) => e.preventDefault()); // the box keeps the focus
    li.addEventListener("click", () => choose(r));
    list.append(li);
  });
  $("reply-picker-empty").textContent = shownOptions.length ? ""
    : library.length ? "Aucune réponse type ne correspond à « " + q + " »." : "Aucune réponse type : créez-en avec « Réponses types » en haut de la page.";
  $("reply-picker").hidden = false;
  box().setAttribute("aria-expanded", "true");
  if (shownOptions.length) {
    box().setAttribute("aria-activedescendant", "reply-option-" + picked);
    $("reply-option-" + picked).scrollIntoView({ block: "nearest" });
  } else box().removeAttribute("aria-activedescendant");
}

function closePicker() {
  $("reply-picker").hidden = true;
  box().setAttribute("aria-expanded", "false");
  box().removeAttribute("aria-activedescendant");
}

function choose(r) {
  box().value = expand(r.text, hooks.clientName(), hooks.agentName());
  closePicker();
  box().focus();
  box().setSelectionRange(box().value.length, box().value.length);
  box().dispatchEvent(new Event("input", { bubbles: true })); // the counter, the typing
}

async function onInput() {
  const q = query();
  if (q === null) return closePicker();
  if (q === "" && !isOpen()) {
    picked = 0;
    await loadLibrary(); // another agent may have added one since
  }
  showPicker();
}

// onKey runs before the reply box's own keys (capture): while the list is open, the arrows
// move in it, Entrée or Tab chooses, Échap closes it.
function onKey(e) {
  if (e.target !== box() || !isOpen()) return;
  const n = shownOptions.length;
  const move = { ArrowDown: 1, ArrowUp: -1 }[e.key];
  if (move && n) picked = (picked + move + n) % n;
  else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && n) choose(shownOptions[picked]);
  else if (e.key === "Escape") closePicker();
  else return;
  e.preventDefault();
  e.stopPropagation();
  if (isOpen()) showPicker();
}

// init wires the library and the picker; agentName() and clientName() give the variables'
// values for the conversation shown ("" when unknown).
export function init(h) {
  hooks = h;
  $("replies-open").addEventListener("click", openLibrary);
  $("replies-close").addEventListener("click", () => $("replies-dialog").close());
  $("rf-new").addEventListener("click", () => {
    resetForm();
    $("rf-name").focus();
  });
  $("rf-name").addEventListener("input", showCounts);
  $("rf-text").addEventListener("input", showCounts);
  $("reply-form").addEventListener("submit", (e) => {
    e.preventDefault();
    save();
  });
  box().addEventListener("input", onInput);
  // The list closes when the focus leaves the box (after a click in the list has chosen), not
  // when the box got it back meanwhile.
  box().addEventListener("blur", () => setTimeout(() => document.activeElement !== box() && closePicker(), 150));
  $("reply").addEventListener("keydown", onKey, true);
  resetForm();
}
