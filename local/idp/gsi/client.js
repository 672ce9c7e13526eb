// A stand-in for Google Identity Services (https://accounts.google.com/gsi/client)
// served by the local stack's development identity provider. It offers the
// google.accounts.id calls the sign-in page uses, with a small form (name,
// email) instead of Google's account chooser; the token comes from the
// provider's POST /token and reaches the page through its callback, as
// Google's would. No inline styles: the form is styled by /gsi/style.
(() => {
  "use strict";

  const provider = new URL(document.currentScript.src).origin;
  let settings = null;

  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = provider + "/gsi/style";
  document.head.append(stylesheet);

  function element(tag, props, ...children) {
    const el = document.createElement(tag);
    Object.assign(el, props);
    el.append(...children);
    return el;
  }

  function field(label, input) {
    return element("label", { className: "devsignin-field" }, element("span", {}, label), input);
  }

  async function requestToken(form) {
    const data = new FormData(form);
    const body = new URLSearchParams();
    body.set("name", data.get("name"));
    body.set("email", data.get("email"));
    body.set("email_verified", data.get("email_verified") ? "true" : "false");
    body.set("expires_in", data.get("expires_in"));
    if (data.get("picture")) {
      body.set("picture", data.get("picture"));
    }
    const response = await fetch(provider + "/gsi/token", { method: "POST", body });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.error_description || "the provider refused the sign-in");
    }
    return answer.id_token;
  }

  function renderButton(parent) {
    const name = element("input", { name: "name", required: true, autocomplete: "name", value: "Ada Lovelace" });
    const email = element("input", { name: "email", type: "email", required: true, autocomplete: "email", value: "ada@example.com" });
    const verified = element("input", { name: "email_verified", type: "checkbox", checked: true });
    const lifetime = element("input", { name: "expires_in", type: "number", value: "3600", step: "1" });
    const picture = element("input", { name: "picture", type: "url", placeholder: "https://… or data:image/…" });
    const problem = element("p", { className: "devsignin-problem", role: "alert" });
    const submit = element("button", { type: "submit", className: "devsignin-submit" }, "Sign in (development)");
    const form = element(
      "form",
      { className: "devsignin", ariaLabel: "Development sign-in" },
      element("p", { className: "devsignin-note" }, "Local development: no Google account needed. Sign in as anyone."),
      field("Name", name),
      field("Email", email),
      element(
        "details",
        { className: "devsignin-options" },
        element("summary", {}, "Test options"),
        element("label", { className: "devsignin-check" }, verified, element("span", {}, "Email verified")),
        field("Token lifetime in seconds (negative: already expired)", lifetime),
        field("Picture URL (optional)", picture),
      ),
      submit,
      problem,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problem.textContent = "";
      submit.disabled = true;
      try {
        const credential = await requestToken(form);
        settings?.callback({ credential, select_by: "user", clientId: settings.client_id });
      } catch (err) {
        problem.textContent = "Sign-in failed: " + err.message;
      } finally {
        submit.disabled = false;
      }
    });
    parent.replaceChildren(form);
  }

  window.google = window.google || {};
  window.google.accounts = window.google.accounts || {};
  window.google.accounts.id = {
    initialize(config) {
      settings = config;
    },
    renderButton,
    disableAutoSelect() {},
    prompt() {},
    cancel() {},
  };
})();
