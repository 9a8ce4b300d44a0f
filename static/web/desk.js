/*
 * Relais — the agent's desk, « Bureau d'assistance clientèle ».
 * Session: POST /api/v1/agent/login sets an HttpOnly cookie; GET /api/v1/agent/me checks it.
 * Websocket /api/v1/agent/ws: JSON envelopes {type, ...} both ways (see docs/agent-protocol.md): state,
 * offers with their countdown, the queue (« File d'attente »), the conversations the agent
 * holds (« En cours ») with the end of their transcripts, older events paged back when the
 * agent scrolls to the top of the log (or presses « Messages précédents »). The records panel is desk-records.js (which
 * wires desk-context, -customer, -request, -tags, -journey and -closing.js), the
 * left messages (« Messages laissés ») desk-messages.js, « Transférer » and « Rendre à
 * l'assistant » desk-transfer.js, « Réponses types » desk-replies.js, the files of a conversation
 * (« Joindre… », thumbnails and links) desk-attachments.js, a transcript's lines desk-transcript.js,
 * « Rechercher dans les conversations » desk-search.js, a supervisor's export, erasure and
 * « Journal de confidentialité » desk-privacy.js.
 * Everything a customer or an agent wrote is shown with textContent, never as HTML.
 */
import { $, el, button, chars, serverTrim, counter, tooLong, api, whenUnauthorized, loadIntents, loadLimits, limits, intentLabel } from "./desk-util.js";
import * as records from "./desk-records.js";
import * as messages from "./desk-messages.js";
import * as alerts from "./desk-alerts.js";
import * as notes from "./desk-notes.js";
import * as transfer from "./desk-transfer.js";
import * as replies from "./desk-replies.js";
import * as attachments from "./desk-attachments.js";
import * as reopen from "./desk-reopen.js";
import * as search from "./desk-search.js";
import * as privacy from "./desk-privacy.js";
import { transcriptLine, author } from "./desk-transcript.js";

let ws = null;
let me = null;
let loggedOut = false;
let offer = null; // {task, deadline}
let lastOfferId = ""; // the last task offered, whose expiry the agent is told about
let countdownTimer = 0;
let told = { order: [], entries: new Map() }; // the queue's first entries as last told: IDs in order, entries by ID
const taken = new Set(); // tasks this agent was just given, still in the queue told
let queue = []; // the entries shown: those told, without those taken
let queueLength = 0; // the whole queue's length (queue holds its first entries)
const convs = new Map(); // conversations held: id → {id, task, log, seen, ended, typingTimer, first, older, loading, pinned}
let selected = null; // {kind: "conv", id} | {kind: "queue", task} | {kind: "message"}
let typedAt = 0;
let errorTimer = 0;
let errorKind = ""; // what the message in #desk-error is about: "expired", "offline" or ""
let announceTimer = 0;

// ------------------------------------------------------------------ session

async function start() {
  const r = await fetch("/api/v1/agent/me", { credentials: "same-origin" }).catch(() => null);
  if (r && r.ok) {
    signedIn(await r.json());
  } else if (r) {
    showLogin();
  } else {
    setTimeout(start, 2000);
  }
}

function showLogin() {
  const wasShown = !$("login").hidden; // never steal the focus from someone typing
  // What the desk said is about the session that ended: none of it stays on the login form.
  hideOffer();
  clearError();
  clearTimeout(announceTimer);
  $("announcer").textContent = "";
  if (!wasShown) $("login-error").textContent = "";
  $("login").hidden = false;
  $("desk").hidden = true;
  for (const id of ["ready", "not-ready", "replies-open", "sound-toggle", "logout"]) $(id).hidden = true;
  privacy.setAgent(null);
  $("who").textContent = "";
  $("state-label").textContent = "";
  if (!wasShown) $("login-id").focus();
}

whenUnauthorized(() => {
  if (ws) ws.close();
  showLogin();
});

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").textContent = "";
  const r = await fetch("/api/v1/agent/login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ login: $("login-id").value, password: $("login-pw").value }),
  }).catch(() => null);
  const body = r ? await r.json().catch(() => ({})) : {};
  if (!r || !r.ok) {
    $("login-error").textContent = (body.error && body.error.message) || "Connexion impossible.";
    return;
  }
  $("login-pw").value = "";
  signedIn(body);
});

$("logout").addEventListener("click", async () => {
  loggedOut = true;
  await fetch("/api/v1/agent/logout", { method: "POST", credentials: "same-origin" }).catch(() => null);
  if (ws) ws.close();
  forgetSession();
  showLogin();
});

// forgetSession empties the desk of the agent who signed out: the next one starts afresh
// (the server sends their own conversations, queue and messages when they sign in).
function forgetSession() {
  for (const id of [...convs.keys()]) {
    stopTyping(convs.get(id));
    records.forget(id);
  }
  convs.clear();
  lastOfferId = "";
  showNothing();
  showQueue([], 0);
  showState("", "");
}

function signedIn(agent) {
  me = agent;
  loggedOut = false;
  $("login").hidden = true;
  $("desk").hidden = false;
  for (const id of ["ready", "not-ready", "replies-open", "sound-toggle", "logout"]) $(id).hidden = false;
  $("who").textContent = agent.name;
  privacy.setAgent(agent);
  Promise.all([loadIntents(), loadLimits()]).finally(() => { // names first: the first offer or queue shows them
    countReply();
    connect();
  });
}

// ---------------------------------------------------------------- websocket

function connect() {
  const u = new URL("/api/v1/agent/ws", location.href);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(u);
  ws.onopen = () => {
    if (errorKind === "offline") clearError(); // the connection is back
    messages.refresh();
  };
  ws.onmessage = (m) => {
    let msg;
    try {
      msg = JSON.parse(m.data);
    } catch {
      return;
    }
    handle(msg);
  };
  ws.onclose = (e) => {
    ws = null;
    if (loggedOut) return;
    if (e.code === 4001) {
      showLogin();
      return;
    }
    showError("Connexion au serveur perdue : reconnexion…", "offline");
    setTimeout(start, 2000);
  };
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(msg));
    return true;
  }
  showError("Pas de connexion au serveur : réessayez dans un instant.");
  return false;
}

function handle(msg) {
  switch (msg.type) {
    case "state":
      showState(msg.state, msg.label);
      break;
    case "offer":
      showOffer(msg.task, msg.expires_at);
      break;
    case "offer_expired":
      if (offer && offer.task.id === msg.task_id) hideOffer();
      if (msg.reason === "offer_expired" && lastOfferId === msg.task_id) {
        announce("Offre expirée sans réponse : vous passez Non prêt.");
        showError("Offre expirée sans réponse dans le délai : vous êtes passé(e) Non prêt.", "expired");
      }
      break;
    case "assigned":
      if (offer && offer.task.id === msg.task.id) hideOffer();
      dropFromQueue(msg.task.id);
      assigned(msg.task, msg.conversation, msg.desk);
      break;
    case "event":
      if (convs.has(msg.conversation_id)) {
        const c = convs.get(msg.conversation_id);
        if (showEvent(c, msg.event)) countUnread(c, msg.event);
      }
      break;
    case "reset":
      // The server lost events shown here (a storage failover): the transcript as it now is.
      if (convs.has(msg.conversation_id) && msg.conversation) resetConv(convs.get(msg.conversation_id), msg.conversation);
      break;
    case "released":
      released(msg.conversation_id, msg.reason);
      break;
    case "queue":
      showQueue(queueOf(msg), msg.length || 0);
      break;
    case "messages":
      messages.refresh();
      break;
    case "error":
      showError(msg.message || "Erreur.");
      break;
  }
}

// -------------------------------------------------------------------- state

function showState(state, label) {
  $("state-label").textContent = label || "";
  $("state-label").dataset.state = state;
  $("ready").setAttribute("aria-pressed", String(state === "ready"));
  $("not-ready").setAttribute("aria-pressed", String(state === "not_ready"));
  if (state === "ready" && errorKind === "expired") clearError(); // Prêt again: no longer true
}

$("ready").addEventListener("click", () => {
  alerts.prime(); // the click lets the page ask for notifications and play sounds
  send({ type: "set_state", state: "ready" });
});
$("not-ready").addEventListener("click", () => send({ type: "set_state", state: "not_ready" }));

// -------------------------------------------------------------------- offer

function describe(task) {
  return [task.summary, task.intent && "(" + intentLabel(task.intent) + ")"].filter(Boolean).join(" ") || "Demande d'un client";
}

// announce tells screen readers; the text goes after a while, so that what is read later
// (or found by browsing the page) is never a fact that is over.
function announce(text) {
  clearTimeout(announceTimer);
  $("announcer").textContent = "";
  announceTimer = setTimeout(() => {
    $("announcer").textContent = text;
    announceTimer = setTimeout(() => ($("announcer").textContent = ""), 7000);
  }, 50);
}

async function showOffer(task, expiresAt) {
  offer = { task, deadline: Date.parse(expiresAt) };
  lastOfferId = task.id;
  if (errorKind === "expired") clearError(); // an older offer's expiry is over
  $("offer-summary").textContent = describe(task);
  $("offer-customer").textContent = "";
  $("offer-last").textContent = "";
  $("offer-box").hidden = false;
  tick();
  clearInterval(countdownTimer);
  countdownTimer = setInterval(tick, 250);
  alerts.offerShown(describe(task), $("offer-countdown").textContent);
  announce("Nouvelle tâche : " + describe(task) + ". Acceptez dans les " + $("offer-countdown").textContent + " secondes.");
  const [res, got] = await Promise.all([
    api("GET", "/conversations/" + encodeURIComponent(task.conversation_id)),
    readTranscript(task.conversation_id, 30),
  ]);
  if (!offer || offer.task.id !== task.id) return;
  if (res.ok) {
    const c = res.data && res.data.customer;
    $("offer-customer").textContent = c ? "Client : " + c.name : "Client inconnu";
  }
  const last = got.events ? lastCustomerText(got.events) : "";
  $("offer-last").textContent = last ? "Dernier message : « " + last + " »" : "";
}

function tick() {
  if (!offer) return;
  const left = Math.max(0, Math.ceil((offer.deadline - Date.now()) / 1000));
  $("offer-countdown").textContent = String(left);
  alerts.offerTick(left);
  if (left === 0) hideOffer();
}

function hideOffer() {
  const hadFocus = $("offer-box").contains(document.activeElement);
  offer = null;
  clearInterval(countdownTimer);
  alerts.offerEnded();
  $("offer-box").hidden = true;
  if (hadFocus) $("not-ready").focus();
}

$("offer-accept").addEventListener("click", () => offer && send({ type: "accept", task_id: offer.task.id }));
$("offer-reject").addEventListener("click", () => {
  if (!offer) return;
  send({ type: "reject", task_id: offer.task.id });
  hideOffer();
});
$("offer-preview").addEventListener("click", () => offer && selectQueued(offer.task));
alerts.wire({
  accept: () => $("offer-accept").click(),
  reject: () => $("offer-reject").click(),
  active: () => !!offer,
});
$("offer-box").addEventListener("keydown", (e) => {
  if (e.key === "Escape" && offer) {
    e.preventDefault();
    $("offer-reject").click();
  }
});

// -------------------------------------------------------------------- lists

function showQueue(entries, length) {
  queue = entries;
  queueLength = length;
  $("queue-length").textContent = String(length);
  $("queue-empty").hidden = entries.length > 0;
  const list = $("queue");
  const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null;
  const refocus = focused && { task: focused.closest("li").dataset.task, cls: focused.className };
  list.replaceChildren();
  for (const e of entries) {
    const li = el("li");
    li.dataset.task = e.task.id;
    const pick = button("", "select", () => selectQueued(e.task));
    pick.append(el("span", "", e.position + ". " + describe(e.task)));
    if (e.last_customer_message) pick.append(el("small", "last", "« " + e.last_customer_message + " »"));
    pick.append(el("small", "", e.task.state === "waiting" ? waitLabel(e.task) : "proposée à un agent"));
    pick.setAttribute("aria-current", String(!!(selected && selected.kind === "queue" && selected.task.id === e.task.id)));
    pick.setAttribute("aria-label", "Voir le dossier : " + e.position + ". " + describe(e.task));
    li.append(pick);
    if (e.task.state === "waiting") {
      const b = button("Prendre", "take", () => send({ type: "pick", task_id: e.task.id }));
      b.setAttribute("aria-label", "Prendre la tâche " + e.position);
      li.append(b);
    }
    list.append(li);
  }
  if (refocus) {
    const again = list.querySelector('li[data-task="' + CSS.escape(refocus.task) + '"] .' + refocus.cls.split(" ")[0]);
    if (again) again.focus();
  }
  if (selected && selected.kind === "queue") {
    const still = entries.find((e) => e.task.id === selected.task.id);
    if (still && still.last_customer_message !== selected.last) showPreview(still.task); // the customer wrote
    if (still) Object.assign(selected, { task: still.task, last: still.last_customer_message });
    else if (!convs.has(selected.task.conversation_id)) $("records-status").textContent = "Cette tâche n'est plus dans la file d'attente.";
  }
  $("preview-pick").hidden = !(selected && selected.kind === "queue" && canPick(selected.task));
}

// queueOf is the first entries to show after a queue envelope: all of them (tasks), or
// (order) their IDs in order with the entries that changed, the others as last told, or
// (neither) those shown, only the length changed.
function queueOf(msg) {
  if (msg.tasks) told = { order: msg.tasks.map((e) => e.task.id), entries: new Map(msg.tasks.map((e) => [e.task.id, e])) };
  else if (msg.order) {
    const entries = new Map();
    msg.order.forEach((id, i) => told.entries.has(id) && entries.set(id, { ...told.entries.get(id), estimated_wait_seconds: (msg.waits || [])[i] || 0 }));
    for (const e of msg.changed || []) entries.set(e.task.id, e);
    told = { order: msg.order, entries };
  } else return queue;
  for (const id of taken) if (!told.entries.has(id)) taken.delete(id); // the queue says so now
  return shownQueue();
}

// shownQueue is the queue told without the tasks taken, numbered from 1.
function shownQueue() {
  return told.order
    .filter((id) => !taken.has(id) && told.entries.has(id)) // absent: a task this desk was never told of
    .map((id, i) => ({ ...told.entries.get(id), position: i + 1 }));
}

// dropFromQueue takes a task this agent was just assigned out of the queue shown, with the
// positions after it, before the next queue envelope says so (they come about once a second).
function dropFromQueue(taskId) {
  if (!told.entries.has(taskId) || taken.has(taskId)) return;
  taken.add(taskId);
  showQueue(shownQueue(), Math.max(0, queueLength - 1));
}

function waitLabel(task) {
  const since = Math.max(0, Math.round((Date.now() - Date.parse(task.created_at)) / 60000));
  return "en attente depuis " + (since < 1 ? "moins d'une minute" : since + " min");
}

const canPick = (task) => queue.some((e) => e.task.id === task.id && e.task.state === "waiting");

function showCurrent() {
  const list = $("current-list");
  list.replaceChildren();
  $("current-length").textContent = String(convs.size);
  $("current-empty").hidden = convs.size > 0;
  for (const c of convs.values()) {
    const li = el("li");
    li.dataset.conversation = c.id;
    const name = records.customerName(c.id) || "Client inconnu";
    const b = button("", "select", () => selectConv(c.id));
    b.append(el("span", "", name), el("small", "", (c.ended ? "terminée — " : "") + describe(c.task)));
    if (c.unread) {
      const n = c.unread === 1 ? "1 nouveau message" : c.unread + " nouveaux messages";
      b.prepend(el("span", "unread", String(c.unread))); // floats right of the name
      b.setAttribute("aria-label", name + ", " + n);
    }
    b.setAttribute("aria-current", String(!!(selected && selected.kind === "conv" && selected.id === c.id)));
    li.append(b);
    list.append(li);
  }
}

// selectQueued shows a waiting task's records before it is accepted.
function selectQueued(task) {
  if (convs.has(task.conversation_id)) return selectConv(task.conversation_id);
  messages.deselect();
  selected = { kind: "queue", task, last: (queue.find((e) => e.task.id === task.id) || {}).last_customer_message };
  $("no-conv").hidden = true;
  $("conv").hidden = false;
  $("log").replaceChildren(previewNote());
  $("conv-summary").textContent = "En attente — " + describe(task);
  showPreview(task);
  $("reply").hidden = true;
  $("close-conv").hidden = true;
  $("transfer-conv").hidden = true;
  $("handback-conv").hidden = true;
  $("reply-count").hidden = true;
  $("reply-note").closest("label").hidden = true; // read-only: no note before taking it
  $("typing").textContent = "";
  records.showPreview(task);
  showQueue(queue, Number($("queue-length").textContent));
  showCurrent();
}

// previewing says whether task is still the one shown before acceptance.
const previewing = (task) => selected && selected.kind === "queue" && selected.task.id === task.id;

// readTranscript reads the end of a conversation the agent does not have yet
// (GET /desk/conversations/{id}/events?limit=): {events, older}, or {error} with the server's message.
async function readTranscript(convId, limit) {
  const res = await api("GET", "/conversations/" + encodeURIComponent(convId) + "/events?limit=" + limit);
  if (!res.ok) return { error: res.error.message };
  return { events: (res.data && res.data.events) || [], older: Boolean(res.data && res.data.older) };
}

const previewNote = () => el("div", "note", "Aperçu avant acceptation, en lecture seule : le fil de la conversation jusqu'ici.");

// showPreview shows a waiting task's transcript so far, read-only, with the agents' notes (a
// transfer's reason among them), under the preview's note; again when the customer writes
// (showQueue), the view staying where the agent reads unless it was at the end.
async function showPreview(task) {
  const got = await readTranscript(task.conversation_id, 100);
  if (!previewing(task)) return;
  if (got.error) {
    $("log").replaceChildren(previewNote(), el("div", "note", "Le fil n'a pas pu être lu : " + got.error));
    return;
  }
  const view = { id: task.conversation_id, seen: new Set() }; // eventNode's context, read-only
  const inner = el("div", "log-inner");
  if (got.older) inner.append(el("div", "note", "Seuls les derniers échanges sont montrés ; le reste s'affiche quand vous prenez la tâche."));
  for (const ev of got.events) {
    const node = ev.type === "typing" ? null : eventNode(view, ev);
    if (node) inner.append(node);
  }
  await notes.load(task.conversation_id, inner);
  if (!previewing(task)) return;
  const atEnd = nearEnd(), top = $("log").scrollTop;
  $("log").replaceChildren(previewNote(), inner);
  if (atEnd) toEnd();
  else $("log").scrollTop = top;
}

// lastCustomerText is the text of the last message the customer wrote among events, or "".
function lastCustomerText(events) {
  const m = events.filter((ev) => ev.type === "message" && ev.from === "customer").pop();
  return m ? String(m.text || "") : "";
}

function selectConv(id) {
  const c = convs.get(id);
  if (!c) return;
  messages.deselect();
  selected = { kind: "conv", id };
  $("no-conv").hidden = true;
  $("conv").hidden = false;
  $("log").replaceChildren(c.log);
  $("conv-summary").textContent = describe(c.task);
  $("reply").hidden = c.ended;
  $("reply-count").hidden = c.ended;
  $("reply-note").closest("label").hidden = false;
  $("close-conv").hidden = false;
  $("transfer-conv").hidden = c.ended;
  $("handback-conv").hidden = c.ended;
  $("typing").textContent = "";
  c.log.scrollTop = c.log.scrollHeight;
  toEnd();
  c.pinned = true;
  c.unread = 0;
  records.select(id);
  showQueue(queue, Number($("queue-length").textContent));
  showCurrent();
}

// selectMessage gives the middle column to the left message desk-messages.js shows.
function selectMessage() {
  selected = { kind: "message" };
  $("no-conv").hidden = true;
  $("conv").hidden = true;
  showQueue(queue, Number($("queue-length").textContent));
  showCurrent();
}

function showNothing() {
  messages.deselect();
  selected = null;
  $("no-conv").hidden = false;
  $("conv").hidden = true;
  records.clear();
  showCurrent();
}

// ------------------------------------------------------------- conversation

function assigned(task, conv, desk) {
  let c = convs.get(conv.id);
  if (!c) {
    c = { id: conv.id, task, log: el("div", "log-inner"), seen: new Set(), ended: false };
    convs.set(conv.id, c);
  }
  c.task = task;
  c.ended = false;
  reopen.forget(conv.id); // reopened (from here or another desk of the agent's)
  // The end of the transcript comes with every assignment (a reconnection too): it replaces
  // what is shown, which may hold events the store has lost since (a storage failover).
  showTranscript(c, conv);
  // The notes (a transfer's reason among them) come after the transcript: the log shows its end.
  notes.load(conv.id, c.log).then(() => {
    if (selected && selected.kind === "conv" && selected.id === c.id && c.pinned) toEnd();
  });
  records.showActive(task, desk, false);
  selectConv(conv.id);
  announce("Conversation acceptée : " + describe(task));
  $("reply-text").focus();
}

/** resetConv shows conv's transcript instead of what c shows. */
function resetConv(c, conv) {
  stopTyping(c);
  showTranscript(c, conv);
  notes.load(c.id, c.log);
  announce("Conversation rechargée après un incident du serveur.");
}

/**
 * showTranscript shows conv's events instead of what c shows: the end of the transcript, under
 * a « Messages précédents » button when older events exist (conv.older).
 */
function showTranscript(c, conv) {
  const events = conv.events || [];
  c.seen.clear();
  c.log.replaceChildren();
  c.first = events.length ? events[0].seq : 0;
  c.older = Boolean(conv.older) && c.first > 1;
  c.loading = false;
  c.olderButton = button("Messages précédents", "older", () => loadOlder(c));
  c.olderButton.hidden = !c.older;
  c.log.append(c.olderButton);
  for (const ev of events) showEvent(c, ev);
}

/**
 * loadOlder reads the page of events before the first one c shows
 * (GET /desk/conversations/{id}/events?before=) and puts them above it, the agent's view
 * staying where it was.
 */
async function loadOlder(c) {
  if (!c.older || c.loading) return;
  c.loading = true;
  c.olderButton.disabled = true;
  c.olderButton.textContent = "Chargement…";
  const res = await api("GET", "/conversations/" + encodeURIComponent(c.id) + "/events?before=" + c.first + "&limit=100");
  c.loading = false;
  c.olderButton.disabled = false;
  c.olderButton.textContent = "Messages précédents";
  if (!res.ok) {
    showError("Messages précédents : " + res.error.message);
    return;
  }
  const events = (res.data && res.data.events) || [];
  if (convs.get(c.id) !== c || !events.length || events[0].seq >= c.first) return; // replaced meanwhile
  const view = $("log");
  const fromBottom = view.scrollHeight - view.scrollTop;
  for (const ev of events) {
    const node = eventNode(c, ev);
    if (node) c.log.insertBefore(node, olderPlace(c.log, ev));
  }
  c.first = events[0].seq;
  c.older = Boolean(res.data.older) && c.first > 1;
  c.olderButton.hidden = !c.older;
  if (selected && selected.kind === "conv" && selected.id === c.id) view.scrollTop = view.scrollHeight - fromBottom;
}

// olderPlace is the line of log an older event goes before: the first later event, or a
// note written after it (notes go among the events by time, desk-notes.js).
function olderPlace(log, ev) {
  const t = Date.parse(ev.at || "");
  for (const x of log.children) {
    if (x.dataset.seq && Number(x.dataset.seq) > ev.seq) return x;
    if (x.dataset.note && Date.parse(x.dataset.at || "") > t) return x;
  }
  return null;
}

// The view of a conversation follows its new events while it is at the end (c.pinned); an
// agent who scrolls up stays where they read. Scrolling to the top loads older events.
$("log").addEventListener("scroll", () => {
  const c = selected && selected.kind === "conv" && convs.get(selected.id);
  if (!c) return;
  c.pinned = nearEnd();
  if (c.older && $("log").scrollTop < 40) loadOlder(c);
});

// showEvent adds ev at the end of c's log, and says whether it did; the view follows it
// unless the agent scrolled up to read older lines.
function showEvent(c, ev) {
  const node = eventNode(c, ev);
  if (!node) return false;
  c.log.append(node);
  if (selected && selected.kind === "conv" && selected.id === c.id && c.pinned) toEnd();
  return true;
}

// countUnread counts a customer's message that came to a conversation the agent is not
// looking at: « En cours » shows how many, until the agent opens it.
function countUnread(c, ev) {
  if ((ev.type !== "message" && ev.type !== "attachment") || ev.from !== "customer") return;
  if (selected && selected.kind === "conv" && selected.id === c.id) return;
  c.unread = (c.unread || 0) + 1;
  showCurrent();
  announce("Nouveau message de " + (records.customerName(c.id) || "Client inconnu"));
}

// nearEnd says whether the log's view is at (or within a line of) its end.
const nearEnd = () => $("log").scrollHeight - $("log").scrollTop - $("log").clientHeight < 60;
const toEnd = () => ($("log").scrollTop = $("log").scrollHeight);

// eventNode is the log line of ev, null for an event shown already or not as a line (the
// customer's typing shows under the log).
function eventNode(c, ev) {
  if (!ev) return null;
  if (ev.type === "typing") {
    if (ev.from === "customer") showTyping(c);
    return null;
  }
  if (ev.seq) {
    if (c.seen.has(ev.seq)) return null;
    c.seen.add(ev.seq);
  }
  const node = ev.type === "queued" ? queuedLine(ev) : transcriptLine(c.id, ev, ownAuthor);
  if (!node) return null;
  if ((ev.type === "message" || ev.type === "attachment") && ev.from === "customer") stopTyping(c);
  if (ev.seq) node.dataset.seq = String(ev.seq);
  if (ev.at) node.dataset.at = ev.at; // notes go among the events by time (desk-notes.js)
  return node;
}

// ownAuthor names an author as the agent reads their own conversation: « Vous » for their messages.
const ownAuthor = (ev) => (ev.from === "agent" && (!ev.agent || (me && ev.agent === me.name)) ? "Vous" : author(ev));

function queuedLine(ev) {
  return el("div", "note", ev.position ? "En file d'attente, position " + ev.position + "." : "En file d'attente.");
}

function showTyping(c) {
  clearTimeout(c.typingTimer);
  if (selected && selected.kind === "conv" && selected.id === c.id) $("typing").textContent = "Le client écrit…";
  c.typingTimer = setTimeout(() => stopTyping(c), 5000);
}

function stopTyping(c) {
  clearTimeout(c.typingTimer);
  if (selected && selected.kind === "conv" && selected.id === c.id) $("typing").textContent = "";
}

// released: the conversation is no longer the agent's. After the agent's own Fermer it
// leaves « En cours »; when the customer left, it stays so that the agent can finish the
// records, then Fermer removes it.
function released(id, reason) {
  const c = convs.get(id);
  if (!c) return;
  if (reason === "erased") { // nothing of it is left to show
    showStatus("Les données de ce client ont été effacées : sa conversation a été retirée du bureau.");
    removeConv(id);
    return;
  }
  // Given away (from this desk or another of the agent's): the conversation leaves. Closed
  // here, it may be reopened for a few minutes (« Fermées récemment »).
  if (c.closing || reason === "transferred" || reason === "handed_back") {
    if (c.closing && reason === "closed") {
      reopen.offer(id, records.customerName(id));
      showStatus("Conversation terminée. « Rouvrir » la reprend pendant quelques minutes.");
    }
    removeConv(id);
    return;
  }
  c.ended = true;
  const why = reason === "cancelled" ? "Le client a quitté la conversation." : "Conversation terminée.";
  c.log.append(el("div", "note", why));
  stopTyping(c);
  if (selected && selected.kind === "conv" && selected.id === id) selectConv(id);
  else showCurrent();
}

function removeConv(id) {
  stopTyping(convs.get(id));
  convs.delete(id);
  records.forget(id);
  if (selected && selected.kind === "conv" && selected.id === id) {
    const next = convs.keys().next();
    if (!next.done) selectConv(next.value);
    else showNothing();
  }
  showCurrent();
}

// forgetPerson drops what the desk showed of a person a supervisor erased: the records of
// keys (their conversations, a task previewed, a left message), the conversations held here
// (the server also sends released), and their conversations among the search results and
// « Fermées récemment ».
function forgetPerson({ keys, conversations, subject }) {
  const shownGone = keys.includes(records.shownKey());
  for (const key of keys) {
    if (convs.has(key)) removeConv(key);
    else records.forget(key);
  }
  if (shownGone && !(selected && selected.kind === "conv" && convs.has(selected.id))) showNothing();
  for (const id of conversations) {
    search.forget(id);
    reopen.forget(id);
  }
  messages.refresh();
  showStatus(subject.kind === "customer" ? "Données de " + subject.name + " effacées." : "Conversation effacée.");
}

// replyLimit is the server's limit of what the reply box sends: a message to the customer, or
// an internal note (a desk text). countReply shows the box's counter against it.
const replyLimit = () => (notes.noting() ? limits.text : limits.message);
const countReply = () => counter($("reply-count"), $("reply-text").value, replyLimit());
$("reply-note").addEventListener("change", countReply);

$("reply").addEventListener("submit", async (e) => {
  e.preventDefault();
  const c = selected && selected.kind === "conv" && convs.get(selected.id);
  const text = serverTrim($("reply-text").value);
  if (!text || !c || c.ended) return;
  const max = replyLimit();
  if (max && chars(text) > max) {
    showError((notes.noting() ? "Note trop longue : " : "Message trop long : ") + tooLong(max, chars(text)));
    return;
  }
  if (notes.noting()) {
    const refused = await notes.add(c.id, c.log, text);
    if (refused) showError(refused);
    else {
      $("reply-text").value = "";
      countReply();
      $("log").scrollTop = $("log").scrollHeight;
    }
    return;
  }
  if (send({ type: "message", conversation_id: c.id, text })) {
    $("reply-text").value = "";
    countReply();
  }
});

$("reply-text").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    $("reply").requestSubmit();
  }
});

$("reply-text").addEventListener("input", () => {
  countReply();
  const c = selected && selected.kind === "conv" && convs.get(selected.id);
  if (!c || c.ended || notes.noting() || Date.now() - typedAt < 2000) return;
  typedAt = Date.now();
  send({ type: "typing", conversation_id: c.id });
});

// Fermer: the records questions first (desk-records.js), then the close command.
$("close-conv").addEventListener("click", () => {
  const c = selected && selected.kind === "conv" && convs.get(selected.id);
  if (!c) return;
  const confirm = c.ended ? "" : "Terminer la conversation avec " + (records.customerName(c.id) || "ce client") +
    " ? Le client sera informé que la conversation est terminée et ne pourra plus vous écrire ici.";
  records.requestClose(c.id, () => {
    if (c.ended) {
      removeConv(c.id);
      return;
    }
    c.closing = true;
    if (!send({ type: "close", conversation_id: c.id })) c.closing = false;
  }, confirm);
});

// showError shows text in #desk-error. kind "offline" stays until the connection is back,
// "expired" until the agent is Prêt again or gets another offer; the others go after 8 s.
function showError(text, kind = "") {
  $("desk-error").textContent = text;
  errorKind = kind;
  clearTimeout(errorTimer);
  if (kind !== "offline") errorTimer = setTimeout(clearError, kind === "expired" ? 60000 : 8000);
}

// showStatus says for a while what the agent's last action did.
let statusTimer = 0;
function showStatus(text) {
  $("desk-status").textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => ($("desk-status").textContent = ""), 8000);
}

function clearError() {
  clearTimeout(errorTimer);
  errorKind = "";
  $("desk-error").textContent = "";
}

records.init({
  canPick,
  pick: (task) => send({ type: "pick", task_id: task.id }),
  changed: () => showCurrent(),
});
messages.init({ selected: selectMessage, closed: showNothing });
reopen.init({ reopened: () => showStatus("Conversation rouverte.") });
search.init();
privacy.init({ erased: forgetPerson });
notes.wire();
replies.init({
  agentName: () => (me && me.name) || "",
  clientName: () => (selected && selected.kind === "conv" && records.customerName(selected.id)) || "",
});
transfer.init({
  current: () => (selected && selected.kind === "conv" && convs.get(selected.id)) || null,
  leaving: (id, on) => {
    const c = convs.get(id);
    if (c) c.closing = on;
  },
  left: (id, text) => {
    if (convs.has(id)) removeConv(id);
    showStatus(text);
    announce(text);
  },
});
attachments.wire({
  current: () => {
    const c = selected && selected.kind === "conv" && convs.get(selected.id);
    if (c && notes.noting()) {
      showError("Un fichier est envoyé au client : décochez « Note interne » pour en joindre un.");
      return null;
    }
    return c || null;
  },
  refused: (text) => showError(text),
  sent: (c, ev) => {
    if (ev && convs.get(c.id) === c) showEvent(c, ev);
  },
});
countReply();
start();
