// A stand-in for Google Identity Services (https://accounts.google.com/gsi/client)
// served by the local stack's development identity provider. It offers the
// google.accounts.id calls the sign-in page uses, with a small form (name,
// email) instead of Google's account chooser; the token comes from the
// provider's POST /token and reaches the page through its callback, as
// Google's would. No inline styles: the form is styled by /gsi/style.
//
// Like Google, it remembers the last account that signed in on this browser
// (in the page origin's localStorage, where Google keeps its session on
// accounts.google.com) until disableAutoSelect(). With auto_select set,
// prompt() signs that account in again without a click: it asks the
// provider for a fresh token with prompt=none, hands it to the callback and
// reports a dismissed moment (credential_returned); with no account to
// remember, or when the provider refuses, it reports a skipped moment. The
// moment methods Google keeps under FedCM are the only ones offered.
(() => {
  "use strict";

  const provider = new URL(document.currentScript.src).origin;
  const ACCOUNT_KEY = "devsignin.account";
  let settings = null;
  let pending = null;

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

  // account reads the form into the fields POST /token takes.
  function account(form) {
    const data = new FormData(form);
    const fields = {
      name: data.get("name"),
      email: data.get("email"),
      email_verified: data.get("email_verified") ? "true" : "false",
      expires_in: data.get("expires_in"),
    };
    if (data.get("picture")) {
      fields.picture = data.get("picture");
    }
    return fields;
  }

  function remembered() {
    try {
      const fields = JSON.parse(localStorage.getItem(ACCOUNT_KEY));
      return fields !== null && typeof fields === "object" && typeof fields.email === "string" ? fields : null;
    } catch {
      return null;
    }
  }

  async function requestToken(fields, options = {}) {
    const body = new URLSearchParams(fields);
    if (options.silent) {
      body.set("prompt", "none");
    }
    const response = await fetch(provider + "/gsi/token", { method: "POST", body, signal: options.signal });
    const answer = await response.json();
    if (!response.ok) {
      throw new Error(answer.error_description || "the provider refused the sign-in");
    }
    return answer.id_token;
  }

  // moment is a PromptMomentNotification as Google's is under FedCM: no
  // display moments, no skipped reason.
  function moment(type, dismissedReason) {
    return {
      getMomentType: () => type,
      isSkippedMoment: () => type === "skipped",
      isDismissedMoment: () => type === "dismissed",
      getDismissedReason: () => dismissedReason,
    };
  }

  async function prompt(listener) {
    const notify = (notification) => {
      if (typeof listener === "function") {
        listener(notification);
      }
    };
    const fields = remembered();
    if (!settings || !settings.auto_select || !fields || pending) {
      // Google would offer One Tap here; the stand-in's form is the button.
      await Promise.resolve();
      notify(moment("skipped"));
      return;
    }
    const attempt = new AbortController();
    pending = attempt;
    let credential = "";
    try {
      credential = await requestToken(fields, { silent: true, signal: attempt.signal });
    } catch {
      credential = "";
    } finally {
      if (pending === attempt) {
        pending = null;
      }
    }
    if (credential === "" || attempt.signal.aborted) {
      notify(moment("skipped"));
      return;
    }
    settings.callback({ credential, select_by: "auto", clientId: settings.client_id });
    notify(moment("dismissed", "credential_returned"));
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
        field("Token lifetime in seconds, renewals too (negative: already expired)", lifetime),
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
        const fields = account(form);
        const credential = await requestToken(fields);
        localStorage.setItem(ACCOUNT_KEY, JSON.stringify(fields));
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
    disableAutoSelect() {
      localStorage.removeItem(ACCOUNT_KEY);
    },
    prompt,
    cancel() {
      pending?.abort();
    },
  };
})();
