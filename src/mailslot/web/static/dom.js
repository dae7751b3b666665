// Small DOM helpers every view uses.

export const $ = (id) => document.getElementById(id);

/** Disables a form or button while `work` runs, so a double click sends once. */
export async function busy(element, work) {
  const controls = element.matches("form") ? element.querySelectorAll("button") : [element];
  for (const control of controls) control.disabled = true;
  element.setAttribute("aria-busy", "true");
  try {
    await work();
  } finally {
    for (const control of controls) control.disabled = false;
    element.removeAttribute("aria-busy");
  }
}
