/*
 * Relais desk — one line of a transcript (docs/desk.md), the same wherever the desk shows one: the
 * conversation in progress, the conversation before a left message, a past conversation read-only.
 * A message with its author, a file (desk-attachments.js: a thumbnail or a link), an agent joining
 * or leaving, the end. Everything a customer or an agent wrote is set with textContent.
 */
import { el } from "./desk-util.js";
import * as attachments from "./desk-attachments.js";

export const FROM = { customer: "Client", bot: "Assistant", agent: "Conseiller", system: "Système" };

// author names the author of a message or a file as any reader reads it: the agent's name.
export const author = (ev) => (ev.from === "agent" ? ev.agent || FROM.agent : FROM[ev.from] || FROM.system);

// transcriptLine is the line of event ev of conversation convId, null for an event that is not a
// line; who(ev) names the author of a message or a file (by default author).
export function transcriptLine(convId, ev, who = author) {
  let node;
  switch (ev.type) {
    case "message": {
      const from = FROM[ev.from] ? ev.from : "system";
      node = el("div", "msg msg-" + from);
      node.append(el("span", "who", who({ ...ev, from })), el("span", "text", String(ev.text || "")));
      break;
    }
    case "attachment":
      node = attachments.node(convId, ev, who(ev));
      if (!node) return null;
      break;
    case "agent_joined":
      node = el("div", "note", (ev.agent || "Un conseiller") + " a rejoint la conversation.");
      break;
    case "agent_left":
      node = el("div", "note", (ev.agent || "Le conseiller") + " a quitté la conversation.");
      break;
    case "closed":
      node = el("div", "note", "Conversation terminée.");
      break;
    default:
      return null;
  }
  if (ev.seq) node.dataset.seq = String(ev.seq);
  return node;
}
