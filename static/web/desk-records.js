/*
 * Relais desk — the records panel (docs/desk.md): which interaction's records it shows, and
 * how they are drawn. Each part is its own module:
 *
 *   desk-context.js   the record contexts (one per conversation or left message), loading
 *   desk-customer.js  the customer card, information form, search and link
 *   desk-request.js   the interaction's request: title, description, status
 *   desk-tags.js      the interaction's activity and its tags
 *   desk-journey.js   the customer's journey (requests and activities)
 *   desk-history.js   a past conversation of the journey, read-only
 *   desk-closing.js   the questions asked when the agent closes (Fermer)
 *   desk-privacy.js   a supervisor's export and erasure buttons on the card
 *
 * Every write sends If-Match with the version the agent loaded; a 409 conflict shows
 * « Modifié par un autre agent. » with a « Charger » button, never a silent overwrite.
 * All text is set with textContent.
 */
import { $ } from "./desk-util.js";
import {
  shown, show, hooks, onRender, load, applyContext, contextOf, forgetContext, taskContext, messageContext,
} from "./desk-context.js";
import { renderCustomer, wireCustomerDialog } from "./desk-customer.js";
import { renderRequest, wireRequest, closeRequest as closeRequestOf } from "./desk-request.js";
import { renderActivity, wireTags } from "./desk-tags.js";
import { renderJourney } from "./desk-journey.js";
import { wireCloseDialog } from "./desk-closing.js";
import { wireHistory } from "./desk-history.js";
import { renderCard as renderPrivacy } from "./desk-privacy.js";

export { contextOf };
export { openCustomer } from "./desk-customer.js";
export { requestClose } from "./desk-closing.js";

// init takes desk.js's hooks ({canPick, pick, changed}) and wires the panel.
export function init(h) {
  Object.assign(hooks, h);
  $("preview-pick").addEventListener("click", () => shown && hooks.pick(shown.task));
  wireRequest();
  wireTags();
  wireCustomerDialog();
  wireCloseDialog();
  wireHistory();
}

export const customerName = (convId) => {
  const c = contextOf(convId);
  return c && c.customer ? c.customer.name : "";
};

// showPreview shows what is known of a waiting task, before it is accepted.
export function showPreview(task) {
  const ctx = show(taskContext(task));
  render();
  load(ctx);
}

// showActive shows the records of a conversation the agent holds; desk is the assigned
// envelope's {request, activity, customer}, when the server sent it.
export function showActive(task, desk, select = true) {
  const ctx = taskContext(task);
  ctx.active = true;
  if (desk) applyContext(ctx, { customer: desk.customer, request: desk.request, activity: desk.activity }, false);
  if (select) show(ctx);
  render();
  load(ctx);
}

// showMessage shows the records of a left message m ({request, activity, customer}). No
// agent holds it: it is edited as an interaction the agent holds, under the key it returns.
export function showMessage(m) {
  const ctx = messageContext(m);
  applyContext(ctx, m, false);
  show(ctx);
  render();
  load(ctx);
  return ctx.convId;
}

// closeRequest saves the request's unsaved edits of the context under key, then closes the
// request; true when it is closed. Refusals show in the records panel.
export const closeRequest = (key) => closeRequestOf(contextOf(key));

export function select(convId) {
  show(contextOf(convId));
  render();
}

export function forget(convId) {
  forgetContext(convId);
  render();
}

// shownKey is the key of the context the panel shows, "" for none.
export const shownKey = () => (shown ? shown.convId : "");

export function clear() {
  show(null);
  render();
}

// render draws the shown context's records, or the empty panel.
function render() {
  const ctx = shown;
  $("records-empty").hidden = !!ctx;
  $("records-body").hidden = !ctx;
  $("conv-customer").hidden = !ctx;
  if (!ctx) {
    $("records-status").textContent = "";
    return;
  }
  $("records-status").textContent = ctx.loadError || (ctx.loaded ? "" : "Chargement du dossier…");
  renderCustomer(ctx);
  renderPrivacy(ctx);
  $("preview-pick").hidden = ctx.active || !hooks.canPick(ctx.task);
  $("interaction").hidden = !(ctx.active && ctx.request);
  if (ctx.active && ctx.request) {
    renderRequest(ctx);
    renderActivity(ctx);
  }
  renderJourney(ctx);
}

onRender(render);
