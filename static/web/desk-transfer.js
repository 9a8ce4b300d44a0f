/*
 * Relais desk — « Transférer » and « Rendre à l'assistant » (docs/desk.md, POST
 * /api/v1/desk/conversations/{id}/transfer): the agent gives the conversation they hold to a
 * colleague who is Prêt (GET /api/v1/desk/colleagues, read each time the dialog opens), back
 * to the queue, or back to the bot, with a reason whose limit comes from the server's limits
 * (limits.reason). The reason becomes an internal note the next agent reads; the customer
 * reads a system message. A refusal keeps the dialog open with the server's French message and
 * the reason as typed. All text is set with textContent.
 */
import { $, el, api, chars, serverTrim, counter, limits, loadLimits } from "./desk-util.js";
import { contextOf } from "./desk-context.js";
import { requestDirty } from "./desk-request.js";
import { customerDraftDirty } from "./desk-customer.js";

const SUBMIT = { agent: "Transférer", queue: "Remettre en file d'attente", bot: "Rendre à l'assistant" };

let hooks = null; // {current, leaving, left}
let conv = ""; // the conversation the dialog is about

const choice = () => (document.querySelector('input[name="transfer-to"]:checked') || {}).value || "agent";

// init wires the dialog. current() is the conversation shown ({id, ended} or null);
// leaving(id, on) marks it as being given away (its « released » then removes it);
// left(id, text) is called once the server took the transfer, with what to announce.
export function init(h) {
  hooks = h;
  $("transfer-conv").addEventListener("click", () => open("agent"));
  $("handback-conv").addEventListener("click", () => open("bot"));
  for (const r of document.querySelectorAll('input[name="transfer-to"]')) r.addEventListener("change", showChoice);
  $("transfer-reason").addEventListener("input", showCount);
  $("transfer-cancel").addEventListener("click", () => $("transfer-dialog").close());
  $("transfer-refresh").addEventListener("click", async () => {
    await loadColleagues();
    showChoice();
  });
  $("transfer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
}

// open shows the dialog for the conversation shown, with to chosen.
async function open(to) {
  const c = hooks.current();
  if (!c || c.ended) return;
  if (conv !== c.id) $("transfer-reason").value = ""; // a reason typed for another conversation is not this one's
  conv = c.id;
  if (!limits.reason) await loadLimits(); // the limit is the server's only: no copy here
  $("transfer-error").textContent = "";
  $("transfer-pending").textContent = pending(c.id);
  $("transfer-to-" + to).checked = true;
  showCount();
  showChoice();
  $("transfer-dialog").showModal();
  await loadColleagues();
  if (to === "agent" && $("transfer-to-agent").disabled) $("transfer-to-queue").checked = true;
  showChoice();
  (choice() === "agent" ? $("transfer-agent") : $("transfer-reason")).focus();
}

// pending warns of the records' changes not saved yet: the next agent would not see them.
function pending(id) {
  const ctx = contextOf(id);
  const what = [];
  if (ctx && requestDirty(ctx)) what.push("la demande");
  if (ctx && customerDraftDirty(ctx)) what.push("la fiche client");
  return what.length ? "Vous avez des modifications non enregistrées (" + what.join(" et ") + ") : enregistrez-les d'abord, sinon le prochain conseiller ne les verra pas." : "";
}

// loadColleagues fills the colleague list with those who may receive the conversation now.
async function loadColleagues() {
  const sel = $("transfer-agent");
  const before = sel.value;
  $("transfer-agents-status").textContent = "Recherche des collègues Prêts…";
  const res = await api("GET", "/colleagues");
  const agents = (res.ok && res.data && res.data.agents) || [];
  sel.replaceChildren();
  for (const a of agents) {
    const o = el("option", "", a.name + " (" + a.load + "/" + a.capacity + " en cours)");
    o.value = a.id;
    sel.append(o);
  }
  if (agents.some((a) => a.id === before)) sel.value = before;
  $("transfer-agents-status").textContent = !res.ok ? res.error.message
    : agents.length ? "" : "Aucun collègue n'est Prêt en ce moment : remettez la conversation en file d'attente ou rendez-la à l'assistant.";
  $("transfer-to-agent").disabled = agents.length === 0;
}

// showCount shows the reason's length against the server's limit (none while it is unknown).
function showCount() {
  if (limits.reason) counter($("transfer-reason-count"), $("transfer-reason").value, limits.reason);
  else $("transfer-reason-count").textContent = "";
}

function showChoice() {
  const to = choice();
  $("transfer-agent").disabled = to !== "agent" || $("transfer-agent").options.length === 0;
  $("transfer-submit").textContent = SUBMIT[to];
  $("transfer-title").textContent = to === "bot" ? "Rendre la conversation à l'assistant" : "Transférer la conversation";
}

async function submit() {
  const to = choice();
  const reason = serverTrim($("transfer-reason").value);
  const body = { to, reason };
  if (to === "agent") body.agent_id = $("transfer-agent").value;
  const problem = to === "agent" && !body.agent_id ? "Choisissez le collègue à qui transférer la conversation."
    : !reason ? "Indiquez le motif du transfert."
    : limits.reason && chars(reason) > limits.reason ? "Le motif dépasse " + limits.reason + " caractères (" + chars(reason) + " saisis)." : "";
  if (problem) {
    $("transfer-error").textContent = problem;
    $("transfer-reason").focus();
    return;
  }
  const id = conv;
  const name = to === "agent" ? $("transfer-agent").selectedOptions[0].textContent.replace(/ \(.*$/, "") : "";
  $("transfer-submit").disabled = true;
  hooks.leaving(id, true);
  const res = await api("POST", "/conversations/" + encodeURIComponent(id) + "/transfer", { body });
  $("transfer-submit").disabled = false;
  if (!res.ok) {
    hooks.leaving(id, false);
    $("transfer-error").textContent = res.error.message;
    if (to === "agent") loadColleagues();
    return;
  }
  $("transfer-reason").value = "";
  $("transfer-dialog").close();
  hooks.left(id, to === "agent" ? "Conversation transférée à " + name + "."
    : to === "queue" ? "Conversation remise en file d'attente." : "Conversation rendue à l'assistant.");
}
