// Package e2e holds the browser end-to-end tests: headless Chromium, driven
// by chromedp, signs in to the page of the offline stack (the real
// functions under the emulator, the development identity provider and its
// sign-in stand-in) and checks what the user sees.
//
// The tests need Debian's chromium on PATH. Without it they skip, except in
// CI (CI=true), where they fail.
package e2e
