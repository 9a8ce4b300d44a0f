/*
 * Relais desk — a past conversation of the customer, read-only (docs/desk.md): « Lire » on a
 * chat of the journey opens it in a dialog, its end first (GET /desk/conversations/{id}/events
 * ?limit=), older events paged back with « Messages précédents » (?before=). The search in
 * the customer's conversations (GET /desk/customers/{id}/conversations?q=) lists the messages
 * that hold a text; « Lire » opens the conversation at that message. The lines are
 * desk-transcript.js's (messages, files, agents joining and leaving), text only.
 */
import { $, el, button, api, date } from "./desk-util.js";
import { FROM, transcriptLine } from "./desk-transcript.js";
import { showHistory as showPrivacy } from "./desk-privacy.js";

const pageSize = 100;

// reading is the dialog's conversation: {id, first (lowest seq shown), older, loading}.
let reading = null;

// readButton is the journey's « Lire » of chat activity a, null when it has no conversation.
export function readButton(a) {
  if (a.kind !== "chat" || !a.conversation_id) return null;
  const when = date(a.started_at);
  const b = button("Lire", "read-conv", () => openHistory(a));
  b.setAttribute("aria-label", "Lire la conversation" + (when ? " du " + when : ""));
  b.setAttribute("aria-haspopup", "dialog");
  return b;
}

// openHistory shows the end of activity a's conversation ({conversation_id, started_at,
// agent_name, ended_at, customer_name?, customer_id?}) in the history dialog, or the page
// holding event seq, marked. A supervisor gets the export and erasure of a conversation whose
// customer nobody identified (customer_id "", from the search of every conversation).
export async function openHistory(a, seq = 0) {
  const me = { id: a.conversation_id, first: 0, older: false, loading: false };
  reading = me;
  const meta = [a.customer_name, date(a.started_at) && "le " + date(a.started_at), a.agent_name && "conseiller : " + a.agent_name,
    date(a.ended_at) && "terminée le " + date(a.ended_at)].filter(Boolean).join(", ");
  $("history-meta").textContent = meta.charAt(0).toUpperCase() + meta.slice(1);
  const log = $("history-log");
  log.replaceChildren(el("div", "note", "Chargement de la conversation…"));
  $("history-older").hidden = true;
  showPrivacy(a);
  $("history-dialog").showModal();
  $("history-close").focus();
  const res = await page(me, "");
  if (reading !== me) return;
  if (!res.ok) {
    log.replaceChildren(el("div", "note", res.status === 404 ? "Cette conversation n'est plus disponible (expirée ou effacée)." : res.error.message));
    return;
  }
  log.replaceChildren();
  addOlder(me, res.data);
  if (!log.childElementCount) log.append(el("div", "note", "Aucun message dans cette conversation."));
  log.scrollTop = log.scrollHeight;
  if (seq) await showEvent(me, seq);
}

// showEvent pages back until event seq is shown, marks it and scrolls to it.
async function showEvent(me, seq) {
  while (reading === me && me.older && me.first > seq) {
    const before = me.first;
    await loadOlder();
    if (me.first === before) return; // the page could not be read: its error is shown
  }
  const line = $("history-log").querySelector('[data-seq="' + seq + '"]');
  if (!line) return;
  line.classList.add("found");
  line.scrollIntoView({ block: "center" });
}

function page(me, before) {
  const q = "?limit=" + pageSize + (before ? "&before=" + before : "");
  return api("GET", "/conversations/" + encodeURIComponent(me.id) + "/events" + q);
}

// addOlder puts a page of events above what the log shows.
function addOlder(me, data) {
  const log = $("history-log");
  const events = (data && data.events) || [];
  const top = log.firstChild;
  for (const ev of events) {
    const node = transcriptLine(me.id, ev);
    if (node) log.insertBefore(node, top);
  }
  if (events.length) me.first = events[0].seq;
  me.older = Boolean(data && data.older) && me.first > 1;
  $("history-older").hidden = !me.older;
}

async function loadOlder() {
  const me = reading;
  if (!me || !me.older || me.loading) return;
  me.loading = true;
  $("history-older").disabled = true;
  const res = await page(me, me.first);
  me.loading = false;
  $("history-older").disabled = false;
  if (reading !== me) return;
  if (!res.ok) {
    $("history-error").textContent = "Messages précédents : " + res.error.message;
    return;
  }
  const log = $("history-log");
  const fromBottom = log.scrollHeight - log.scrollTop;
  addOlder(me, res.data);
  log.scrollTop = log.scrollHeight - fromBottom;
}

// searchedFor is the customer whose conversations the search form looks in.
let searchedFor = "";

// renderSearch shows the search in ctx's customer's conversations (none without a customer);
// another customer's results go.
export function renderSearch(ctx) {
  const id = (ctx && ctx.customer && ctx.customer.id) || "";
  $("conv-search-form").hidden = !id;
  if (id === searchedFor) return;
  searchedFor = id;
  $("conv-search").value = "";
  $("conv-search-status").textContent = "";
  $("conv-search-results").replaceChildren();
}

async function searchConversations() {
  const id = searchedFor;
  const q = $("conv-search").value;
  const status = $("conv-search-status");
  const list = $("conv-search-results");
  list.replaceChildren();
  status.textContent = "Recherche…";
  const res = await api("GET", "/customers/" + encodeURIComponent(id) + "/conversations?q=" + encodeURIComponent(q));
  if (searchedFor !== id) return;
  if (!res.ok) {
    status.textContent = res.error.message;
    return;
  }
  const found = res.data.matches || [];
  const where = res.data.searched + " conversation(s) lue(s)" + (res.data.more ? ", d'autres ne l'ont pas été" : "");
  status.textContent = (found.length ? found.length + " message(s) trouvé(s)" : "Aucun message trouvé") + " — " + where + ".";
  list.append(...found.map(matchItem));
}

function matchItem(m) {
  const li = el("li");
  const when = date(m.at);
  li.append(el("small", "", [when, FROM[m.from] || FROM.system].filter(Boolean).join(" — ")), el("span", "text", m.text));
  const b = button("Lire", "read-conv", () => openHistory({ conversation_id: m.conversation_id, started_at: m.started_at, agent_name: m.agent_name }, m.seq));
  b.setAttribute("aria-label", "Lire la conversation à ce message" + (when ? " du " + when : ""));
  b.setAttribute("aria-haspopup", "dialog");
  li.append(b);
  return li;
}

export function wireHistory() {
  $("conv-search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (searchedFor) searchConversations();
  });
  $("history-older").addEventListener("click", loadOlder);
  $("history-close").addEventListener("click", () => $("history-dialog").close());
  $("history-dialog").addEventListener("close", () => {
    reading = null;
    $("history-error").textContent = "";
  });
}
