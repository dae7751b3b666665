// Messages to people: the passing notice, the error banner, and errors as sentences.

import { ApiError } from "./api.js";
import { $ } from "./dom.js";
import { state } from "./state.js";

const NOTICE_MS = 8000;
let noticeTimer = null;

export function notify(text) {
  clearTimeout(noticeTimer);
  $("notice").textContent = text;
  noticeTimer = setTimeout(() => ($("notice").textContent = ""), NOTICE_MS);
}

export function showError(error) {
  if (!state.session) return; // a request the end of the session cut short: said on the form
  $("error-text").textContent = sentence(error);
  $("error").hidden = false;
}

export function clearError() {
  $("error").hidden = true;
  $("error-text").textContent = "";
}

export function sentence(error) {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return "Something went wrong in this page. Reload it and try again.";
}
