/*
 * Relais desk — « Rechercher » in every conversation the desk handled (docs/desk.md): the words
 * the agent types find the conversations of any customer, known or not, that hold them all
 * (GET /desk/conversations?q=), newest first, each with its customer, its agent and the message
 * holding the most of the words; « Lire » opens it read-only at that message (desk-history.js).
 * The server decides what a valid search is and says why it refuses one. Text only.
 */
import { $, el, button, api, date } from "./desk-util.js";
import { author } from "./desk-transcript.js";
import { openHistory } from "./desk-history.js";

let searches = 0; // the latest search; an older answer is dropped
let reading = null; // the « Lire » whose conversation the history dialog shows

export function init() {
  $("search-open").addEventListener("click", open);
  $("search-close").addEventListener("click", () => $("search-dialog").close());
  $("desk-search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  // Back from a conversation read from the results: the agent goes on where they were.
  $("history-dialog").addEventListener("close", () => {
    if (reading && $("search-dialog").open) reading.focus();
    reading = null;
  });
}

function open() {
  $("search-dialog").showModal();
  $("desk-search").focus();
  $("desk-search").select();
}

async function run() {
  const n = ++searches;
  const status = $("desk-search-status");
  const list = $("desk-search-results");
  list.replaceChildren();
  status.textContent = "Recherche…";
  const res = await api("GET", "/conversations?q=" + encodeURIComponent($("desk-search").value));
  if (n !== searches) return;
  if (!res.ok) {
    status.textContent = res.error.message;
    return;
  }
  const found = (res.data && res.data.conversations) || [];
  status.textContent = summary(found.length, res.data.more);
  list.append(...found.map(item));
}

// forget takes a conversation erased out of the results shown.
export function forget(conversationId) {
  for (const li of $("desk-search-results").children) if (li.dataset.conversation === conversationId) li.remove();
}

function summary(n, more) {
  if (!n) return "Aucune conversation ne contient tous ces mots.";
  const which = n === 1 ? "1 conversation trouvée" : n + " conversations trouvées, les plus récentes d'abord";
  return which + (more ? " ; d'autres, plus anciennes, ne sont pas montrées : ajoutez un mot pour préciser." : ".");
}

// item is one conversation found: its customer, when and with whom, the line, « Lire ».
function item(f) {
  const li = el("li");
  li.dataset.conversation = f.conversation_id;
  const who = f.customer_name || "Client inconnu";
  const when = date(f.at);
  const b = button("Lire", "read-conv", () => {
    reading = b;
    openHistory(f, f.seq);
  });
  b.setAttribute("aria-label", "Lire la conversation de " + who + (when ? " du " + when : "") + " à ce message");
  b.setAttribute("aria-haspopup", "dialog");
  li.append(el("span", "customer", who),
    el("small", "", [when, f.agent_name && "conseiller : " + f.agent_name].filter(Boolean).join(" — ")), b,
    el("span", "text", author(f) + " : " + f.text));
  return li;
}
