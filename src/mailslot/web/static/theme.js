// The theme a person chose in settings: as the system, light or dark. Kept in this
// browser (localStorage): a preference, not a secret.

const THEME_KEY = "mailslot.theme";
const THEMES = ["system", "light", "dark"];

export function savedTheme() {
  try {
    const theme = localStorage.getItem(THEME_KEY);
    return THEMES.includes(theme) ? theme : "system";
  } catch {
    return "system"; // storage refused (a sandboxed frame): the system's
  }
}

export function applyTheme(theme = savedTheme()) {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function chooseTheme(theme) {
  if (!THEMES.includes(theme)) return;
  try {
    if (theme === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Applied for this page only.
  }
  applyTheme(theme);
}
