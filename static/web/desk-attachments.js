/*
 * Relais desk — attachments: the files of a conversation (images and PDF, docs/desk.md). An
 * "attachment" event shows as a thumbnail (an image) or a download link (a PDF), read from the
 * same-origin desk route with the agent's session (the desk's CSP: img-src 'self'). « Joindre »
 * sends a file as the body of POST /desk/conversations/{cid}/attachments with its type; the
 * server judges it by its content and says in French why it refuses one. A file's name is the
 * sender's text: textContent only.
 */
import { $, el, api, attachmentTypes } from "./desk-util.js";

const fileURL = (convId, a) =>
  "/api/v1/desk/conversations/" + encodeURIComponent(convId) + "/attachments/" + encodeURIComponent(a.id);

// size says a file's size in French: « 800 octets », « 1,5 ko », « 2,3 Mo ».
function size(n) {
  const f = (x) => x.toLocaleString("fr-FR", { maximumFractionDigits: 1 });
  return n < 1000 ? n + " octets" : n < 1e6 ? f(n / 1000) + " ko" : f(n / 1e6) + " Mo";
}

// node is the log line of an attachment event of conversation convId, the author's label who.
export function node(convId, ev, who) {
  const a = ev.attachment;
  if (!a || typeof a.id !== "string") return null;
  const from = ev.from === "agent" ? "agent" : "customer";
  const line = el("div", "msg msg-file msg-" + from);
  const name = String(a.name || "fichier");
  const url = fileURL(convId, a);
  line.append(el("span", "who", who));
  if (String(a.type).startsWith("image/")) {
    const link = el("a", "thumb-link");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    link.setAttribute("aria-label", "Ouvrir l'image « " + name + " » dans un nouvel onglet");
    const img = el("img", "thumb");
    img.alt = name;
    img.loading = "lazy";
    img.src = url;
    link.append(img);
    line.append(link, el("span", "file-name", name));
  } else {
    const link = el("a", "doc-link");
    link.href = url;
    link.download = name;
    link.append(el("span", "file-name", name), el("small", "", " — PDF, " + size(Number(a.size) || 0)));
    link.setAttribute("aria-label", "Télécharger « " + name + " » (PDF, " + size(Number(a.size) || 0) + ")");
    line.append(link);
  }
  return line;
}

let hooks = { current: () => null, refused: () => {}, sent: () => {} };

// wire connects « Joindre » of the reply form: current() is the conversation the agent
// answers ({id, ended}), refused(text) shows the server's refusal, sent(event) the stored event.
export function wire(h) {
  hooks = { ...hooks, ...h };
  const input = $("attach-file");
  $("attach-button").addEventListener("click", () => {
    if (attachmentTypes.length) input.accept = attachmentTypes.join(",");
    input.click();
  });
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (file) send(file);
  });
}

async function send(file) {
  const c = hooks.current();
  if (!c || c.ended) return;
  const button = $("attach-button");
  button.disabled = true;
  $("attach-status").textContent = "Envoi de « " + file.name + " »…";
  const res = await api("POST", "/conversations/" + encodeURIComponent(c.id) + "/attachments?name=" + encodeURIComponent(file.name), { file });
  button.disabled = false;
  $("attach-status").textContent = "";
  if (!res.ok) {
    hooks.refused("« " + file.name + " » : " + res.error.message);
    return;
  }
  hooks.sent(c, res.data.event);
}
