// Reads the claims of a Google ID token for display. The page never trusts
// them: the API verifies the token's signature itself.

function base64urlDecode(segment) {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

// claims returns the payload of a compact JWT as an object, or null when
// the token is not one.
export function claims(token) {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) {
    return null;
  }
  try {
    const payload = JSON.parse(base64urlDecode(parts[1]));
    return payload !== null && typeof payload === "object" ? payload : null;
  } catch {
    return null;
  }
}

// pictureURL returns the claim's address if the page may show it: an https
// image (Google's are on *.googleusercontent.com) or a data: image.
export function pictureURL(picture) {
  if (typeof picture !== "string") {
    return "";
  }
  try {
    const url = new URL(picture);
    if (url.protocol === "https:" || picture.startsWith("data:image/")) {
      return url.href;
    }
  } catch {
    return "";
  }
  return "";
}

// initials returns up to two letters standing for a name or email address.
export function initials(name, email) {
  const words = String(name || email || "?").split(/[\s@._-]+/).filter(Boolean);
  const letters = words.slice(0, 2).map((w) => Array.from(w)[0].toUpperCase());
  return letters.join("") || "?";
}

// The most a token is renewed ahead of its exp: Google's tokens last an
// hour, so the page renews in their last minute.
const RENEW_AHEAD_SECONDS = 60;

// needsRenewal says whether an ID token with these claims should be renewed
// before the page sends it, at now (seconds since the epoch): it has expired,
// or has less than a minute (or a quarter of its lifetime, if shorter) left.
// A token with no numeric exp is sent as it is, for the API to judge.
export function needsRenewal(payload, now) {
  if (typeof payload?.exp !== "number") {
    return false;
  }
  const lifetime = typeof payload.iat === "number" ? payload.exp - payload.iat : RENEW_AHEAD_SECONDS * 4;
  const ahead = Math.max(0, Math.min(RENEW_AHEAD_SECONDS, lifetime / 4));
  return now >= payload.exp - ahead;
}
