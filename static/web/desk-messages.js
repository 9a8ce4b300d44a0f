/*
 * Relais desk — « Messages laissés »: the messages customers left when no agent was available
 * (docs/desk.md). The list is GET /api/v1/desk/messages, loaded again when the server says it
 * changed (the "messages" envelope of the agent websocket), when the websocket (re)connects
 * and when the window gets the focus. Selecting a message shows it and the conversation
 * before it in the middle column; its records (customer, request) are in the records panel
 * (desk-records.js), edited as a chat's. Clore closes its request, which leaves the list.
 * Transcript lines are desk-transcript.js's. All text is set with textContent.
 */
import { $, el, button, date, api, intentLabel } from "./desk-util.js";
import * as records from "./desk-records.js";
import { transcriptLine } from "./desk-transcript.js";

const PREVIEW = 80;

let messages = []; // the list's {request, activity, customer}
let shown = null; // {id, key}: the activity id of the message shown and its records' key
let loads = 0; // the latest list load; an older answer is dropped
let hooks = { selected: () => {}, closed: () => {} };

// init wires the message view; selected is called when a message takes the middle column,
// closed when the message shown is closed.
export function init(h) {
  hooks = { ...hooks, ...h };
  $("message-close").addEventListener("click", closeShown);
  window.addEventListener("focus", () => {
    if (!$("desk").hidden) refresh(); // signed in only: a 401 would bring the login form back
  });
}

// refresh loads the list again.
export async function refresh() {
  const n = ++loads;
  const res = await api("GET", "/messages");
  if (n !== loads) return;
  if (!res.ok) {
    if (res.status !== 401) $("messages-empty").textContent = res.error.message;
    return;
  }
  messages = (res.data && res.data.messages) || [];
  $("messages-empty").textContent = "Aucun message en attente.";
  renderList();
  if (shown && !messages.some((m) => m.activity.id === shown.id)) {
    $("message-close").hidden = true;
    $("message-error").textContent = "Ce message n'est plus en attente : sa demande a été close.";
  }
}

// deselect hides the message view: the agent chose a conversation or a task.
export function deselect() {
  if (!shown) return;
  shown = null;
  $("message-view").hidden = true;
  renderList();
}

const customerLabel = (m) => (m.customer ? m.customer.name : "Client inconnu");

function preview(text) {
  const chars = [...String(text || "")];
  return chars.length > PREVIEW ? chars.slice(0, PREVIEW).join("") + "…" : chars.join("");
}

function renderList() {
  $("messages-length").textContent = String(messages.length);
  $("messages-empty").hidden = messages.length > 0;
  const list = $("messages-list");
  list.replaceChildren();
  for (const m of messages) {
    const li = el("li");
    li.dataset.message = m.activity.id;
    const b = button("", "select", () => select(m));
    b.append(el("span", "", customerLabel(m)), el("small", "", date(m.activity.started_at) + " — " + preview(m.activity.message)));
    b.setAttribute("aria-current", String(!!(shown && shown.id === m.activity.id)));
    b.setAttribute("aria-label", "Message de " + customerLabel(m) + " : " + preview(m.activity.message));
    li.append(b);
    list.append(li);
  }
}

function select(m) {
  hooks.selected();
  shown = { id: m.activity.id, key: records.showMessage(m) };
  $("message-view").hidden = false;
  $("message-close").hidden = false;
  $("message-error").textContent = "";
  $("message-meta").textContent = ["Laissé le " + date(m.activity.started_at), m.activity.intent && "motif : " + intentLabel(m.activity.intent),
    m.activity.contact && "à recontacter : " + m.activity.contact].filter(Boolean).join(", ");
  $("message-text").textContent = m.activity.message;
  renderList();
  loadTranscript(shown, m.activity.conversation_id);
}

async function loadTranscript(which, convId) {
  const log = $("message-log");
  log.replaceChildren(el("div", "note", "Chargement de la conversation…"));
  const res = await api("GET", "/conversations/" + encodeURIComponent(convId) + "/events");
  if (shown !== which) return;
  if (!res.ok) {
    log.replaceChildren(el("div", "note", res.error.message));
    return;
  }
  log.replaceChildren();
  for (const ev of (res.data && res.data.events) || []) {
    const node = transcriptLine(convId, ev);
    if (node) log.append(node);
  }
  if (!log.childElementCount) log.append(el("div", "note", "Aucun échange avant le message."));
}

async function closeShown() {
  const which = shown;
  if (!which) return;
  $("message-error").textContent = "";
  $("message-close").disabled = true;
  const ok = await records.closeRequest(which.key);
  $("message-close").disabled = false;
  if (!ok) {
    if (shown === which) $("message-error").textContent = "La demande n'a pas pu être close : voir le dossier du client.";
    return;
  }
  messages = messages.filter((m) => m.activity.id !== which.id);
  records.forget(which.key);
  if (shown === which) {
    deselect();
    hooks.closed();
  }
  renderList();
  refresh();
}
