/*
 * Relais desk — « Fermées récemment » (docs/desk.md): a conversation the agent closed here can
 * be reopened for limits.reopen_seconds (given by the server, which enforces it):
 * « Rouvrir » posts /desk/conversations/{id}/reopen, and the conversation comes back through
 * the websocket's « assigned ». The entry goes when the window is over.
 */
import { $, el, button, api, limits } from "./desk-util.js";

const closed = new Map(); // conversation id → {name, until (ms), timer, error}
let hooks = { reopened: () => {} };

// init takes desk.js's hooks: {reopened()}, once the server took a « Rouvrir ».
export function init(h) {
  hooks = h;
}
const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeStyle: "short" });

// offer lists conversation id, just closed by the agent, for the window the server allows.
export function offer(id, name) {
  const seconds = limits.reopen_seconds || 0;
  if (!seconds) return;
  forget(id);
  const until = Date.now() + seconds * 1000;
  closed.set(id, { name: name || "Client inconnu", until, timer: setTimeout(() => forget(id), seconds * 1000), error: "" });
  render();
}

// forget takes id out of the list (reopened, or its window over); it says whether id was there.
export function forget(id) {
  const x = closed.get(id);
  if (!x) return false;
  clearTimeout(x.timer);
  closed.delete(id);
  render();
  return true;
}

function render() {
  $("reopen-section").hidden = closed.size === 0;
  $("reopen-list").replaceChildren(...[...closed].map(([id, x]) => item(id, x)));
}

function item(id, x) {
  const li = el("li");
  li.dataset.id = id;
  const who = el("div", "reopen-who");
  who.append(el("span", "", x.name), el("small", "", "Rouvrir possible jusqu'à " + timeFormat.format(new Date(x.until))));
  li.append(who);
  const b = button("Rouvrir", "reopen", () => reopen(id, b));
  b.setAttribute("aria-label", "Rouvrir la conversation avec " + x.name);
  li.append(b);
  if (x.error) li.append(el("p", "field-error", x.error));
  return li;
}

async function reopen(id, b) {
  const x = closed.get(id);
  if (!x) return;
  b.disabled = true;
  const res = await api("POST", "/conversations/" + encodeURIComponent(id) + "/reopen");
  if (res.ok) {
    forget(id);
    hooks.reopened();
    return;
  }
  x.error = res.error.message; // the server's refusal, e.g. « Le délai … est passé. »
  render();
}
