/*
 * Relais desk — the questions Fermer asks (docs/desk.md), in order: whether to end the
 * conversation at all (when it is still going on: the customer is told it is over), what to
 * do with unsaved changes (enregistrer or abandonner), then whether to create a customer when
 * none is linked. Then the close goes on (desk.js sends the close command).
 */
import { $, isConflict, CONFLICT, checkCustomer } from "./desk-util.js";
import { contextOf, load, renderIfShown } from "./desk-context.js";
import { requestDirty, saveRequest } from "./desk-request.js";
import { customerDraftDirty, saveCustomer, openCustomer } from "./desk-customer.js";

// closing is the close in progress: {ctx, done, confirm}; confirm is the question that
// comes first, until the agent answers « Terminer la conversation ».
let closing = null;

// requestClose asks Fermer's questions about the context under key, then calls done. confirm,
// when given, is asked first: ending a conversation in progress is not undone.
export function requestClose(key, done, confirm = "") {
  closing = { ctx: contextOf(key), done, confirm };
  continueClosing();
}

function pendingChanges(ctx) {
  const what = [];
  if (requestDirty(ctx)) what.push("la demande");
  if (customerDraftDirty(ctx)) what.push("la fiche client");
  return what;
}

function askClose(text, buttons, focus = buttons[0]) {
  const d = $("close-dialog");
  $("close-dialog-text").textContent = text;
  $("close-dialog-error").textContent = "";
  for (const id of ["close-confirm", "close-save", "close-discard", "close-create", "close-quit"]) $(id).hidden = !buttons.includes(id);
  if (!d.open) d.showModal();
  $(focus).focus();
}

function continueClosing() {
  if (!closing) return;
  if (closing.confirm) {
    // The least harmful answer has the focus: Entrée does not end a conversation by mistake.
    askClose(closing.confirm, ["close-confirm"], "close-cancel");
    return;
  }
  const ctx = closing.ctx;
  if (!ctx) return finishClosing();
  const pending = pendingChanges(ctx);
  if (pending.length) {
    askClose("Vous avez des modifications non enregistrées (" + pending.join(" et ") + "). Voulez-vous les enregistrer ou les abandonner ?", ["close-save", "close-discard"]);
    return;
  }
  if (!ctx.customer && !ctx.task.customer_id) {
    askClose("Aucun client n'est associé à cette interaction. Voulez-vous créer un nouveau client, ou quitter sans créer de client ?", ["close-create", "close-quit"]);
    return;
  }
  finishClosing();
}

function finishClosing() {
  const c = closing;
  closing = null;
  if ($("close-dialog").open) $("close-dialog").close();
  c.done();
}

function cancelClosing() {
  closing = null;
  if ($("close-dialog").open) $("close-dialog").close();
}

export function wireCloseDialog() {
  $("close-cancel").addEventListener("click", cancelClosing);
  $("close-confirm").addEventListener("click", () => {
    if (!closing) return;
    closing.confirm = "";
    continueClosing();
  });
  $("close-dialog").addEventListener("cancel", () => (closing = null));
  $("close-discard").addEventListener("click", discardChanges);
  $("close-save").addEventListener("click", saveChanges);
  $("close-create").addEventListener("click", () => {
    const ctx = closing.ctx;
    $("close-dialog").close();
    openCustomer(ctx, { proceed: continueClosing, cancel: cancelClosing });
  });
  $("close-quit").addEventListener("click", finishClosing);
}

function discardChanges() {
  const ctx = closing.ctx;
  ctx.draft = null;
  ctx.customerDraft = null;
  ctx.requestErrors = {};
  ctx.editingTitle = false;
  renderIfShown(ctx);
  continueClosing();
}

async function saveChanges() {
  const ctx = closing.ctx;
  const failed = [];
  if (requestDirty(ctx) && !(await saveRequest(ctx))) failed.push("la demande : " + (ctx.requestConflict ? CONFLICT : Object.values(ctx.requestErrors).join(" ")));
  if (customerDraftDirty(ctx)) {
    const problem = await saveCustomerDraft(ctx);
    if (problem) failed.push("la fiche client : " + problem);
  }
  renderIfShown(ctx);
  if (failed.length) {
    $("close-dialog-error").textContent = "Enregistrement impossible — " + failed.join(" ; ") + " Corrigez puis fermez à nouveau.";
    return;
  }
  continueClosing();
}

// saveCustomerDraft saves ctx's unsaved customer edits; it returns why it could not, or "".
async function saveCustomerDraft(ctx) {
  const d = ctx.customerDraft;
  const errs = checkCustomer(d.values);
  if (Object.keys(errs).length) return Object.values(errs).join(" ");
  const res = await saveCustomer(ctx, d.mode, d.values, d.base);
  if (res.ok) {
    ctx.customer = res.data;
    ctx.customerDraft = null;
    if (d.mode === "create") await load(ctx);
    return "";
  }
  if (isConflict(res)) {
    d.conflict = res.current;
    return CONFLICT;
  }
  return res.error.message;
}
