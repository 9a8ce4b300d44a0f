/*
 * Relais desk — internal notes (docs/desk.md, « Notes internes »): what agents write about a
 * conversation for one another, never sent to the customer. They are read with
 * GET /api/v1/desk/conversations/{id}/notes when the desk gets the conversation and written
 * with POST on the same route; the log shows them among the events, in time order, marked
 * « Note interne ». All text is set with textContent.
 */
import { $, el, api } from "./desk-util.js";

const at = (node) => Date.parse(node.dataset.at || "");

// noteNode is the log line of a note.
function noteNode(n) {
  const node = el("div", "msg internal-note");
  node.dataset.note = n.id;
  node.dataset.at = n.at;
  node.append(el("span", "who", "Note interne — " + (n.agent_name || "un conseiller")), el("span", "text", String(n.text || "")));
  return node;
}

// place puts note n in log at its time, once.
export function place(log, n) {
  if ([...log.children].some((x) => x.dataset.note === n.id)) return;
  const t = Date.parse(n.at);
  const after = [...log.children].find((x) => at(x) > t);
  log.insertBefore(noteNode(n), after || null);
}

// load reads the notes of conversation id into log.
export async function load(id, log) {
  const res = await api("GET", "/conversations/" + encodeURIComponent(id) + "/notes");
  if (!res.ok) return;
  for (const n of (res.data && res.data.notes) || []) place(log, n);
}

// add writes a note on conversation id and shows it in log; it returns the server's message
// when the note was refused, "" otherwise.
export async function add(id, log, text) {
  const res = await api("POST", "/conversations/" + encodeURIComponent(id) + "/notes", { body: { text } });
  if (!res.ok) return res.error.message;
  place(log, res.data);
  return "";
}

// wire makes the « Note interne » box switch the reply form between the customer and notes.
export function wire() {
  const box = $("reply-note");
  const show = () => {
    const on = box.checked;
    $("reply").classList.toggle("noting", on);
    $("reply-text").placeholder = on ? "Note interne : visible des conseillers seulement…" : "Votre réponse… (« / » pour une réponse type)";
    $("reply-text").setAttribute("aria-label", on ? "Note interne" : "Votre réponse");
    $("reply-send").textContent = on ? "Ajouter la note" : "Envoyer";
  };
  box.addEventListener("change", show);
  show();
}

// noting reports whether the reply form writes a note.
export const noting = () => $("reply-note").checked;
