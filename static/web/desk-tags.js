/*
 * Relais desk — the interaction's activity (docs/desk.md): its summary and its tags. Enter or
 * Tab adds the tag typed (checked as the server does: length, duplicates, count); × removes
 * one. Writes send If-Match; a 409 conflict shows « Modifié par un autre agent. » with
 * « Charger ».
 */
import { $, el, button, chars, serverTrim, counter, tooLong, date, foldTag, api, isConflict, CONFLICT, kindLabel, limits } from "./desk-util.js";
import { shown, render } from "./desk-context.js";

const DUPLICATE_TAG = "Ce tag existe déjà sur cette activité.";

export function renderActivity(ctx) {
  const a = ctx.activity;
  $("activity-conflict").hidden = !ctx.activityConflict;
  $("tag-input").disabled = !a;
  if (!a) {
    $("tags").replaceChildren();
    $("activity-summary").textContent = "Activité en cours de création…";
    return;
  }
  $("activity-summary").textContent = kindLabel(a.kind) + (a.agent_name ? " avec " + a.agent_name : "") + (a.started_at ? ", commencée le " + date(a.started_at) : "");
  $("tags").replaceChildren(...(a.tags || []).map((t) => tagItem(ctx, t)));
  $("tag-error").textContent = ctx.tagError || "";
  counter($("tag-count"), $("tag-input").value, limits.tag);
}

function tagItem(ctx, tag) {
  const li = el("li", "tag");
  li.append(el("span", "", tag));
  const x = button("×", "", () => removeTag(ctx, tag));
  x.setAttribute("aria-label", "Retirer le tag « " + tag + " »");
  li.append(x);
  return li;
}

export function wireTags() {
  const input = $("tag-input");
  input.addEventListener("input", () => {
    counter($("tag-count"), input.value, limits.tag);
    if (shown && shown.tagError) {
      shown.tagError = "";
      $("tag-error").textContent = "";
      input.removeAttribute("aria-invalid");
    }
  });
  input.addEventListener("keydown", (e) => {
    const create = e.key === "Enter" || (e.key === "Tab" && !e.shiftKey);
    if (!create || !input.value.trim() || !shown) return;
    e.preventDefault();
    addTag(shown, input.value);
  });
  $("activity-load").addEventListener("click", loadCurrentActivity);
}

function loadCurrentActivity() {
  const ctx = shown;
  if (!ctx || !ctx.activityConflict) return;
  ctx.activity = ctx.activityConflict;
  ctx.activityConflict = null;
  ctx.tagError = "";
  render();
  $("tag-input").focus();
}

function tagRefused(ctx, msg) {
  ctx.tagError = msg;
  $("tag-error").textContent = msg;
  if (msg) $("tag-input").setAttribute("aria-invalid", "true");
}

// tagProblem is why tag cannot go on activity a, or "".
function tagProblem(a, tag) {
  const n = chars(tag);
  if (n > limits.tag) return tooLong(limits.tag, n);
  if ((a.tags || []).some((t) => foldTag(t) === foldTag(tag))) return DUPLICATE_TAG;
  if ((a.tags || []).length >= limits.tags) return limits.tags + " tags au plus sur une activité.";
  return "";
}

async function addTag(ctx, value) {
  const a = ctx.activity;
  if (!a || ctx.taggingBusy) return;
  const tag = serverTrim(value);
  const problem = tagProblem(a, tag);
  if (problem) return tagRefused(ctx, problem);
  ctx.taggingBusy = true;
  const res = await api("POST", "/activities/" + encodeURIComponent(a.id) + "/tags", { body: { tag }, version: a.version });
  ctx.taggingBusy = false;
  if (res.ok) {
    ctx.activity = res.data;
    ctx.tagError = "";
    if (ctx === shown) {
      $("tag-input").value = "";
      $("tag-input").removeAttribute("aria-invalid");
    }
  } else if (isConflict(res)) {
    ctx.activityConflict = res.current || null;
    ctx.tagError = CONFLICT + " Chargez la version actuelle puis ajoutez le tag.";
  } else {
    ctx.tagError = (res.fields && res.fields.tag) || res.error.message;
  }
  if (ctx === shown) {
    render();
    if (ctx.tagError) $("tag-input").setAttribute("aria-invalid", "true");
  }
}

async function removeTag(ctx, tag) {
  const a = ctx.activity;
  if (!a) return;
  const res = await api("DELETE", "/activities/" + encodeURIComponent(a.id) + "/tags/" + encodeURIComponent(tag), { version: a.version });
  if (res.ok) {
    ctx.activity = res.data;
    ctx.tagError = "";
  } else if (isConflict(res)) {
    ctx.activityConflict = res.current || null;
    ctx.tagError = CONFLICT;
  } else {
    ctx.tagError = res.error.message;
  }
  if (ctx === shown) {
    render();
    $("tag-input").focus();
  }
}
