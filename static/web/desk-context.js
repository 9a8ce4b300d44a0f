/*
 * Relais desk — the record contexts (docs/desk.md): one per conversation or left message,
 * holding what the records panel shows of it, which one is shown, and how it is loaded.
 * desk-records.js draws the shown context; the panels' modules read and edit it.
 */
import { api } from "./desk-util.js";

// A record context per conversation: {convId, messageId, task, active, loaded, loadError,
// customer, journey, request, activity, draft, requestErrors, requestConflict,
// activityConflict, tagError, customerDraft, editingTitle, detailsOpen, picked, savedNote}.
const ctxs = new Map();

// shown is the context in the records panel, or null.
export let shown = null;
export const show = (ctx) => (shown = ctx);

// hooks are desk.js's: whether a waiting task can be picked, picking it, and a context's
// records changed (the customer's name shows in the lists).
export const hooks = { canPick: () => false, pick: () => {}, changed: () => {} };

let drawRecords = () => {};

// onRender sets what render draws: the records panel of the shown context.
export const onRender = (f) => (drawRecords = f);
export const render = () => drawRecords();

export const contextOf = (key) => ctxs.get(key) || null;

// contexts are every record context the desk holds.
export const contexts = () => [...ctxs.values()];

export function forgetContext(key) {
  ctxs.delete(key);
  if (shown && shown.convId === key) shown = null;
}

function newContext(key, fields) {
  const ctx = { convId: key, task: null, active: false, loaded: false, customer: null, journey: [],
    request: null, activity: null, draft: null, requestErrors: {}, tagError: "", picked: null, ...fields };
  ctxs.set(key, ctx);
  return ctx;
}

// taskContext is the context of a task's conversation.
export function taskContext(task) {
  const ctx = ctxs.get(task.conversation_id) || newContext(task.conversation_id, {});
  ctx.task = task;
  return ctx;
}

// messageContext is the context of a left message m, under "message:" and its activity id.
export function messageContext(m) {
  const key = "message:" + m.activity.id;
  return ctxs.get(key) || newContext(key, { messageId: m.activity.id, active: true });
}

// contextPath is where ctx's desk context is read: its conversation's, or its message's.
export const contextPath = (ctx) => (ctx.messageId ? "/messages/" + encodeURIComponent(ctx.messageId) : "/conversations/" + encodeURIComponent(ctx.convId));

export async function load(ctx) {
  const res = await api("GET", contextPath(ctx));
  if (!res.ok) {
    ctx.loadError = res.status === 404 && !ctx.active ? "Cette tâche n'est plus disponible." : res.error.message;
    if (ctx === shown) render();
    return;
  }
  ctx.loadError = "";
  applyContext(ctx, res.data || {}, true);
  if (ctx === shown) render();
  hooks.changed(ctx);
}

// applyContext takes the records of a desk context; full says it holds the journey too.
export function applyContext(ctx, d, full) {
  if (d.customer !== undefined) ctx.customer = d.customer || null;
  if (full) {
    const j = d.journey;
    ctx.journey = (j && (Array.isArray(j) ? j : j.requests)) || [];
    ctx.loaded = true;
  }
  if (d.request) takeRequest(ctx, d.request);
  if (d.activity) ctx.activity = d.activity;
}

function takeRequest(ctx, request) {
  ctx.request = request;
  if (ctx.draft && ctx.draft.requestId !== request.id) {
    // The interaction moved to another request (linking): the agent's edits follow it.
    ctx.draft.requestId = request.id;
    ctx.draft.base = request.version;
  }
}

// renderIfShown redraws after ctx's records changed.
export function renderIfShown(ctx) {
  if (ctx === shown) render();
  hooks.changed(ctx);
}
