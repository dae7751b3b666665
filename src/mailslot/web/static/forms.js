// Forms: checks before sending, and the API's refusals put next to the fields they name.

import { $ } from "./dom.js";
import { clearError, sentence } from "./notices.js";

function setFieldError(input, text) {
  const slot = $(`${input.id}-error`);
  if (slot) slot.textContent = text;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

export function clearFormErrors(form) {
  for (const input of form.querySelectorAll("input, textarea")) setFieldError(input, "");
  const slot = form.querySelector(".form-error");
  if (slot) slot.textContent = "";
}

/** A form is being sent: the browser stays put, earlier errors go. Returns the form. */
export function startSubmit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearFormErrors(form);
  clearError();
  return form;
}

/**
 * `checks`: [input, problem] pairs, the problem a sentence or null. Shows each problem by
 * its field and moves the focus to the first; true if there was none.
 */
export function validate(checks) {
  const problems = checks.filter(([, problem]) => problem);
  for (const [input, problem] of problems) setFieldError(input, problem);
  if (problems.length) problems[0][0].focus();
  return problems.length === 0;
}

/**
 * Shows a refused submission: by the field `byCode` names for its code, by each field of a
 * 422 (`fields` by the API's names), or else in the form's own error slot.
 */
export function showRefusal(error, { fields, byCode = {}, slot }) {
  const input = byCode[error.code];
  if (input) {
    setFieldError(input, error.message);
    input.focus();
  } else if (!(error.code === "validation_failed" && showFieldErrors(error, fields))) {
    slot.textContent = sentence(error);
  }
}

/** Puts each field error of a 422 next to its field; true if any found a field. */
function showFieldErrors(error, fieldsByName) {
  let first = null;
  for (const item of error.errors || []) {
    const name = String(item.pointer || "").split("/")[2];
    const input = fieldsByName[name];
    if (!input || !item.detail) continue;
    const text = String(item.detail);
    setFieldError(input, text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith(".") ? "" : "."));
    first = first || input;
  }
  if (first) first.focus();
  return first !== null;
}
